import { describe, expect, it } from 'vitest'
import { assistantReducer, initialAssistantView, statusNotice, type AssistantView } from './assistantState'

const asked = (requestId = 'r1'): AssistantView =>
  assistantReducer(initialAssistantView, { type: 'asked', requestId, kind: 'ask', prompt: 'When?' })

describe('assistant panel state', () => {
  it('appends deltas in order and clears the waiting notice when text flows', () => {
    let view = asked()
    view = assistantReducer(view, { type: 'status', payload: { requestId: 'r1', status: 'waiting' } })
    expect(view.turns[0]!.notice).toBe('Waiting for the AI server…')
    view = assistantReducer(view, { type: 'delta', payload: { requestId: 'r1', text: 'The ' } })
    view = assistantReducer(view, { type: 'delta', payload: { requestId: 'r1', text: 'team.' } })
    expect(view.turns[0]).toMatchObject({ text: 'The team.', phase: 'streaming', notice: null })
    view = assistantReducer(view, { type: 'done', payload: { requestId: 'r1', finish: 'stop' } })
    expect(view.turns[0]).toMatchObject({ phase: 'done', finish: 'stop' })
  })

  it('ignores events for requests it did not start and after a turn ended', () => {
    const view = asked()
    expect(assistantReducer(view, { type: 'delta', payload: { requestId: 'other', text: 'x' } })).toBe(view)
    const ended = assistantReducer(view, {
      type: 'error',
      payload: { requestId: 'r1', reason: 'stream_cut', message: 'cut', retryable: true },
    })
    expect(assistantReducer(ended, { type: 'delta', payload: { requestId: 'r1', text: 'late' } })).toBe(ended)
    expect(ended.turns[0]).toMatchObject({ phase: 'failed', error: { reason: 'stream_cut', message: 'cut' } })
  })

  it('keeps partial text when an answer fails mid-way', () => {
    let view = asked()
    view = assistantReducer(view, { type: 'delta', payload: { requestId: 'r1', text: 'Half' } })
    view = assistantReducer(view, {
      type: 'error',
      payload: { requestId: 'r1', reason: 'stream_cut', message: 'cut off', retryable: true },
    })
    expect(view.turns[0]!.text).toBe('Half')
  })

  it('marks a summary as posted', () => {
    let view = assistantReducer(initialAssistantView, {
      type: 'asked',
      requestId: 's',
      kind: 'summary',
      prompt: 'S',
    })
    view = assistantReducer(view, {
      type: 'done',
      payload: {
        requestId: 's',
        finish: 'stop',
        summary: { id: 'x', path: '/a.md', decisions: 1, actionItems: 0 },
      },
    })
    expect(view.turns[0]!.summary).toMatchObject({ id: 'x', posted: false })
    view = assistantReducer(view, { type: 'summaryPosted', requestId: 's' })
    expect(view.turns[0]!.summary!.posted).toBe(true)
  })

  it('bounds turns and captions and dedupes captions', () => {
    let view = initialAssistantView
    for (let i = 0; i < 40; i++) {
      view = assistantReducer(view, { type: 'asked', requestId: `r${i}`, kind: 'ask', prompt: 'q' })
    }
    expect(view.turns).toHaveLength(30)
    expect(view.turns[0]!.requestId).toBe('r10')
    const entry = { id: 'c', participantId: 'p', speaker: 'Ada', startMs: 0, endMs: 1, text: 'hi' }
    view = assistantReducer(view, { type: 'caption', entry })
    expect(assistantReducer(view, { type: 'caption', entry })).toBe(view)
  })

  it('words retry and slow notices', () => {
    expect(statusNotice({ requestId: 'r', status: 'retrying', ms: 2000, reason: 'rate_limited' })).toMatch(
      /HTTP 429\). Retrying in 2 s/,
    )
    expect(statusNotice({ requestId: 'r', status: 'retrying', ms: 400, reason: 'network' })).toMatch(
      /Retrying in 1 s/,
    )
    expect(statusNotice({ requestId: 'r', status: 'slow', ms: 5000 })).toMatch(/slow/)
  })
})
