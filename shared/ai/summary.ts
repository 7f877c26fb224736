import { AI_LIMITS, type MeetingSummary, type TranscriptEntry } from './schemas'

type Section = 'overview' | 'decisions' | 'actionItems' | 'openQuestions'

const HEADINGS: ReadonlyArray<[RegExp, Section]> = [
  [/^(summary|overview|discussion|key points)\b/i, 'overview'],
  [/^decisions?\b/i, 'decisions'],
  [/^(action items?|actions|next steps|to-?dos?)\b/i, 'actionItems'],
  [/^(open questions?|questions|unresolved)\b/i, 'openQuestions'],
]

const NONE = /^(none|n\/a|nothing|-)\.?$/i
const MAX_ITEMS = 50
const MAX_ITEM_CHARS = 1000

/**
 * Read the model's summary Markdown into its parts. Tolerant: headings at any level and in other words
 * ("Next steps"), `*` or `-` bullets, checkboxes, and "None" placeholders. Text before any heading counts as
 * overview, so an answer that ignores the format still yields something.
 */
export function parseSummary(markdown: string): MeetingSummary {
  const parts: Record<Section, string[]> = { overview: [], decisions: [], actionItems: [], openQuestions: [] }
  let current: Section | null = 'overview'
  for (const raw of markdown.split(/\r?\n/)) {
    const line = raw.trim()
    if (line === '') continue
    const heading = /^#{1,6}\s+(.+?)\s*:?\s*$/.exec(line) ?? /^\*\*(.+?):?\*\*:?$/.exec(line)
    if (heading) {
      const title = heading[1]!.replace(/[*_`]/g, '').trim()
      const match = HEADINGS.find(([re]) => re.test(title))
      // An unknown heading (e.g. the model's own title) swallows its lines rather than mixing them in.
      current = match ? match[1] : title.toLowerCase().includes('summary') ? 'overview' : null
      continue
    }
    if (current === null) continue
    const bullet = /^(?:[-*•+]|\d+[.)])\s+(?:\[[ xX]\]\s*)?(.*)$/.exec(line)
    const text = clean(bullet ? bullet[1]! : line)
    if (text === '' || NONE.test(text)) continue
    if (parts[current].length < MAX_ITEMS) parts[current].push(text)
  }
  return {
    overview: parts.overview,
    decisions: parts.decisions,
    actionItems: parts.actionItems.map(splitOwner),
    openQuestions: parts.openQuestions,
  }
}

/** "Grace — send the budget" / "Grace: send…" / "Grace - send…" → owner and task. */
function splitOwner(item: string): { owner: string | null; task: string } {
  const match = /^([^—–:]{1,40}?)\s*(?:—|–|:|\s-\s)\s*(.+)$/.exec(item)
  if (!match) return { owner: null, task: item }
  const owner = match[1]!.trim()
  const task = match[2]!.trim()
  if (/^(unassigned|none|nobody|tbd|n\/a)$/i.test(owner)) return { owner: null, task }
  // More than three words is a sentence ("We agreed with finance: …"), not a name.
  if (owner.split(/\s+/).length > 3) return { owner: null, task: item }
  return { owner, task }
}

function clean(text: string): string {
  return text
    .replace(/\*\*(.+?)\*\*/g, '$1')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, MAX_ITEM_CHARS)
}

export interface SummaryMeta {
  readonly title: string
  /** ms since epoch */
  readonly startedAt: number
  /** ms since epoch */
  readonly generatedAt: number
  readonly participants: readonly string[]
  readonly model: string
}

/** The Markdown file saved next to the meeting's files. Everything from the meeting is escaped as text. */
export function renderSummaryMarkdown(summary: MeetingSummary, meta: SummaryMeta): string {
  const list = (items: readonly string[]): string =>
    items.length === 0 ? '- None' : items.map((i) => `- ${escapeMd(i)}`).join('\n')
  const actions =
    summary.actionItems.length === 0
      ? '- None'
      : summary.actionItems
          .map((a) => `- [ ] ${a.owner ? `**${escapeMd(a.owner)}**: ` : ''}${escapeMd(a.task)}`)
          .join('\n')
  return [
    `# Meeting summary: ${escapeMd(meta.title)}`,
    '',
    `- Started: ${isoMinute(meta.startedAt)}`,
    `- Summary written: ${isoMinute(meta.generatedAt)}`,
    `- Participants: ${meta.participants.length > 0 ? meta.participants.map(escapeMd).join(', ') : 'unknown'}`,
    `- Written by: Convene assistant (${escapeMd(meta.model)}); check it before you rely on it`,
    '',
    '## Summary',
    '',
    list(summary.overview),
    '',
    '## Decisions',
    '',
    list(summary.decisions),
    '',
    '## Action items',
    '',
    actions,
    '',
    '## Open questions',
    '',
    list(summary.openQuestions),
    '',
  ].join('\n')
}

/**
 * The meeting's captions as a Markdown transcript, saved with the summary: one line per caption in speaking
 * order, with its UTC time and the speaker's name. Meeting text is escaped, as in the summary.
 */
export function renderTranscriptMarkdown(
  entries: readonly TranscriptEntry[],
  meta: Pick<SummaryMeta, 'title' | 'startedAt'>,
): string {
  const sorted = [...entries].sort((a, b) => a.startMs - b.startMs)
  const clock = (ms: number): string => new Date(ms).toISOString().slice(11, 19)
  return [
    `# Transcript: ${escapeMd(meta.title)}`,
    '',
    `- Started: ${isoMinute(meta.startedAt)}`,
    '- Times are UTC; captions are machine transcribed',
    '',
    ...(sorted.length === 0
      ? ['No captions were transcribed.']
      : sorted.map((e) => `- ${clock(e.startMs)} **${escapeMd(e.speaker)}**: ${escapeMd(e.text)}`)),
    '',
  ].join('\n')
}

/** A plain-text version for the meeting chat, within the room's chat limit. */
export function renderChatSummary(summary: MeetingSummary): string {
  const lines = ['Meeting summary (Convene assistant)']
  const add = (title: string, items: readonly string[]): void => {
    if (items.length === 0) return
    lines.push('', `${title}:`, ...items.map((i) => `• ${i}`))
  }
  add('Summary', summary.overview)
  add('Decisions', summary.decisions)
  add(
    'Action items',
    summary.actionItems.map((a) => (a.owner ? `${a.owner}: ${a.task}` : a.task)),
  )
  add('Open questions', summary.openQuestions)
  const text = lines.join('\n')
  return text.length <= AI_LIMITS.chatChars ? text : `${text.slice(0, AI_LIMITS.chatChars - 1)}…`
}

/**
 * Folder for one meeting's files: `2026-03-04 1405 Weekly sync`. Only characters that are safe in file names on
 * Windows, macOS and Linux; never `.` or `..`.
 */
export function meetingFolderName(title: string, startedAt: number): string {
  const when = new Date(startedAt).toISOString()
  const stamp = `${when.slice(0, 10)} ${when.slice(11, 13)}${when.slice(14, 16)}`
  const safe = title
    .replace(/[\p{Cc}<>:"/\\|?*]/gu, ' ')
    .replace(/\s+/g, ' ')
    .replace(/^[.\s]+|[.\s]+$/g, '')
    .slice(0, 60)
  return safe === '' ? stamp : `${stamp} ${safe}`
}

/** `summary-2026-03-04T14-52-07Z.md` */
export function summaryFileName(generatedAt: number): string {
  return `summary-${new Date(generatedAt).toISOString().slice(0, 19).replace(/:/g, '-')}Z.md`
}

export function transcriptFileName(generatedAt: number): string {
  return summaryFileName(generatedAt).replace(/^summary-/, 'transcript-')
}

/** Stops meeting text from turning into headings, links or HTML in the saved file. */
function escapeMd(text: string): string {
  return text.replace(/[\\`*_[\]<>#|]/g, (c) => `\\${c}`).replace(/\s*\n\s*/g, ' ')
}

function isoMinute(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`
}
