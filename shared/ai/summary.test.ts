import { describe, expect, it } from 'vitest'
import {
  meetingFolderName,
  parseSummary,
  renderChatSummary,
  renderSummaryMarkdown,
  renderTranscriptMarkdown,
  summaryFileName,
  transcriptFileName,
} from './summary'

const MODEL_OUTPUT = `## Summary
- Reviewed the budget
- Talked about the release
## Decisions
- Ship on Friday
## Action items
- [ ] Grace — send the budget by Monday
- [ ] Unassigned — book a room
- Update the changelog
## Open questions
- None`

describe('summary parsing', () => {
  it('reads the four sections, owners and None placeholders', () => {
    expect(parseSummary(MODEL_OUTPUT)).toEqual({
      overview: ['Reviewed the budget', 'Talked about the release'],
      decisions: ['Ship on Friday'],
      actionItems: [
        { owner: 'Grace', task: 'send the budget by Monday' },
        { owner: null, task: 'book a room' },
        { owner: null, task: 'Update the changelog' },
      ],
      openQuestions: [],
    })
  })

  it('tolerates other heading styles, bold labels and numbered lists', () => {
    const parsed = parseSummary(`# Meeting summary
Quick sync about launch.
**Decisions:**
1. Launch in May
### Next steps
* **Ada**: draft the post
* We agreed with finance and legal: later`)
    expect(parsed.overview).toEqual(['Quick sync about launch.'])
    expect(parsed.decisions).toEqual(['Launch in May'])
    expect(parsed.actionItems).toEqual([
      { owner: 'Ada', task: 'draft the post' },
      { owner: null, task: 'We agreed with finance and legal: later' },
    ])
  })

  it('skips sections under unknown headings', () => {
    expect(parseSummary('## Trivia\n- cats\n## Decisions\n- none').decisions).toEqual([])
    expect(parseSummary('## Trivia\n- cats').overview).toEqual([])
  })
})

describe('summary rendering', () => {
  const summary = parseSummary(MODEL_OUTPUT)
  const meta = {
    title: 'Weekly # sync',
    startedAt: Date.parse('2026-03-04T10:00:00Z'),
    generatedAt: Date.parse('2026-03-04T10:45:30Z'),
    participants: ['Ada', 'Grace'],
    model: 'gpt-4o-mini',
  }

  it('writes a Markdown file with metadata and escaped meeting text', () => {
    const md = renderSummaryMarkdown(summary, meta)
    expect(md).toContain('# Meeting summary: Weekly \\# sync')
    expect(md).toContain('- Started: 2026-03-04 10:00 UTC')
    expect(md).toContain('## Decisions\n\n- Ship on Friday')
    expect(md).toContain('- [ ] **Grace**: send the budget by Monday')
    expect(md).toContain('## Open questions\n\n- None')
    const injected = renderSummaryMarkdown({ ...summary, decisions: ['<img src=x> [link](http://x)'] }, meta)
    expect(injected).toContain('\\<img src=x\\> \\[link\\](http://x)')
  })

  it('writes the transcript in speaking order with UTC times, escaped', () => {
    const entry = (startMs: number, speaker: string, text: string) => ({
      id: `${startMs}`,
      participantId: speaker,
      speaker,
      startMs,
      endMs: startMs + 4000,
      text,
    })
    const md = renderTranscriptMarkdown(
      [entry(meta.startedAt + 65_000, 'Bo', 'then *this*'), entry(meta.startedAt + 5_000, 'Ada', 'first')],
      meta,
    )
    expect(md.split('\n').filter((l) => l.startsWith('- 10:'))).toEqual([
      '- 10:00:05 **Ada**: first',
      '- 10:01:05 **Bo**: then \\*this\\*',
    ])
    expect(renderTranscriptMarkdown([], meta)).toContain('No captions were transcribed.')
    expect(transcriptFileName(meta.generatedAt)).toBe('transcript-2026-03-04T10-45-30Z.md')
  })

  it('fits the chat limit', () => {
    const text = renderChatSummary({
      ...summary,
      overview: Array.from({ length: 50 }, () => 'x'.repeat(200)),
    })
    expect(text.length).toBeLessThanOrEqual(4000)
    expect(renderChatSummary(summary)).toContain('Action items:\n• Grace: send the budget by Monday')
  })

  it('names folders and files safely', () => {
    expect(meetingFolderName('Q1: plan / review?', meta.startedAt)).toBe('2026-03-04 1000 Q1 plan review')
    expect(meetingFolderName('..', meta.startedAt)).toBe('2026-03-04 1000')
    expect(summaryFileName(meta.generatedAt)).toBe('summary-2026-03-04T10-45-30Z.md')
  })
})
