import { humanWait } from '../../../../shared/ai/retry'
import type {
  AiDelta,
  AiDone,
  AiErrorEvent,
  AiFailureReason,
  AiState,
  AiStatus,
  AskKind,
  SummaryInfo,
  TranscriptEntry,
} from '../../../../shared/ai/schemas'

/** One question (or catch-up, or summary) and its answer as the panel shows it. */
export interface Turn {
  readonly requestId: string
  readonly kind: AskKind
  /** The question, or a label for catch-up and summary. */
  readonly prompt: string
  readonly text: string
  readonly phase: 'waiting' | 'streaming' | 'done' | 'failed'
  /** Progress that is not text ("slow", "retrying in 2 s"); null once text flows. */
  readonly notice: string | null
  readonly error: { readonly reason: AiFailureReason | 'request'; readonly message: string } | null
  readonly finish: AiDone['finish'] | null
  readonly summary: (SummaryInfo & { readonly posted: boolean }) | null
}

export interface AssistantView {
  readonly turns: readonly Turn[]
  readonly captions: readonly TranscriptEntry[]
  readonly state: AiState | null
}

export type AssistantAction =
  | { type: 'asked'; requestId: string; kind: AskKind; prompt: string }
  | { type: 'askFailed'; requestId: string; message: string }
  | { type: 'delta'; payload: AiDelta }
  | { type: 'status'; payload: AiStatus }
  | { type: 'done'; payload: AiDone }
  | { type: 'error'; payload: AiErrorEvent }
  | { type: 'caption'; entry: TranscriptEntry }
  | { type: 'captions'; entries: readonly TranscriptEntry[] }
  | { type: 'state'; state: AiState }
  | { type: 'summaryPosted'; requestId: string }

export const initialAssistantView: AssistantView = { turns: [], captions: [], state: null }

const MAX_TURNS = 30
const MAX_CAPTIONS = 200

/**
 * The panel's state as a pure reducer over IPC events. Events for requests this panel did not start (another
 * window's) are ignored; a turn that already ended ignores late events. Returns the same object when nothing
 * changed, so React skips the render.
 */
export function assistantReducer(view: AssistantView, action: AssistantAction): AssistantView {
  switch (action.type) {
    case 'asked': {
      const turn: Turn = {
        requestId: action.requestId,
        kind: action.kind,
        prompt: action.prompt,
        text: '',
        phase: 'waiting',
        notice: null,
        error: null,
        finish: null,
        summary: null,
      }
      return { ...view, turns: [...view.turns, turn].slice(-MAX_TURNS) }
    }
    case 'askFailed':
      return updateTurn(view, action.requestId, (t) => ({
        ...t,
        phase: 'failed',
        notice: null,
        error: { reason: 'request', message: action.message },
      }))
    case 'delta':
      return updateTurn(view, action.payload.requestId, (t) =>
        isOpen(t) ? { ...t, text: t.text + action.payload.text, phase: 'streaming', notice: null } : t,
      )
    case 'status':
      return updateTurn(view, action.payload.requestId, (t) =>
        isOpen(t) ? { ...t, notice: statusNotice(action.payload) } : t,
      )
    case 'done':
      return updateTurn(view, action.payload.requestId, (t) =>
        isOpen(t)
          ? {
              ...t,
              phase: 'done',
              notice: null,
              finish: action.payload.finish,
              summary: action.payload.summary ? { ...action.payload.summary, posted: false } : null,
            }
          : t,
      )
    case 'error':
      return updateTurn(view, action.payload.requestId, (t) =>
        isOpen(t)
          ? {
              ...t,
              phase: 'failed',
              notice: null,
              error: { reason: action.payload.reason, message: action.payload.message },
            }
          : t,
      )
    case 'caption':
      if (view.captions.some((c) => c.id === action.entry.id)) return view
      return { ...view, captions: [...view.captions, action.entry].slice(-MAX_CAPTIONS) }
    case 'captions':
      return { ...view, captions: action.entries.slice(-MAX_CAPTIONS) }
    case 'state':
      return { ...view, state: action.state }
    case 'summaryPosted':
      return updateTurn(view, action.requestId, (t) =>
        t.summary ? { ...t, summary: { ...t.summary, posted: true } } : t,
      )
    default:
      return missing(action)
  }
}

function missing(action: never): AssistantView {
  throw new TypeError(`Unhandled assistant action: ${JSON.stringify(action)}`)
}

function isOpen(turn: Turn): boolean {
  return turn.phase === 'waiting' || turn.phase === 'streaming'
}

function updateTurn(view: AssistantView, requestId: string, update: (turn: Turn) => Turn): AssistantView {
  const index = view.turns.findIndex((t) => t.requestId === requestId)
  if (index < 0) return view
  const next = update(view.turns[index]!)
  if (next === view.turns[index]) return view
  const turns = [...view.turns]
  turns[index] = next
  return { ...view, turns }
}

/** What the panel says while no text flows. */
export function statusNotice(status: AiStatus): string | null {
  switch (status.status) {
    case 'waiting':
      return 'Waiting for the AI server…'
    case 'streaming':
      return null
    case 'slow':
      return 'The AI server is slow to answer. Keep waiting, or press Stop.'
    case 'retrying': {
      const wait = humanWait(status.ms ?? 0)
      return status.reason === 'rate_limited'
        ? `The AI server is limiting requests (HTTP 429). Retrying in ${wait}, as it asked…`
        : `Could not reach the AI server. Retrying in ${wait}…`
    }
    default:
      return missingStatus(status.status)
  }
}

function missingStatus(status: never): string {
  throw new TypeError(`Unhandled status: ${String(status)}`)
}
