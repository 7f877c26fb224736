import { AI_LIMITS, type TranscriptEntry } from './schemas'

/**
 * The caption transcript as a pure, bounded store: entries ordered by start time, unique by id, oldest dropped
 * first when a limit is reached. Main holds one per meeting; tests call these functions directly.
 */
export interface TranscriptState {
  readonly entries: readonly TranscriptEntry[]
  /** Sum of `text.length` over `entries`, kept so the bound is checked in O(1). */
  readonly chars: number
}

export interface TranscriptLimits {
  readonly maxEntries: number
  readonly maxChars: number
}

export const emptyTranscript: TranscriptState = { entries: [], chars: 0 }

const defaultLimits: TranscriptLimits = {
  maxEntries: AI_LIMITS.transcriptEntries,
  maxChars: AI_LIMITS.transcriptChars,
}

/**
 * Add one entry. An entry with a known id replaces the old one (a re-sent chunk). Chunks from several speakers
 * arrive out of order, so the entry is inserted at its place by `startMs` (a scan from the end: almost always
 * the last position).
 */
export function addTranscriptEntry(
  state: TranscriptState,
  entry: TranscriptEntry,
  limits: TranscriptLimits = defaultLimits,
): TranscriptState {
  const existing = state.entries.findIndex((e) => e.id === entry.id)
  let entries = [...state.entries]
  let chars = state.chars
  if (existing >= 0) {
    chars -= entries[existing]!.text.length
    entries.splice(existing, 1)
  }
  let at = entries.length
  while (at > 0 && entries[at - 1]!.startMs > entry.startMs) at--
  entries.splice(at, 0, entry)
  chars += entry.text.length
  let drop = 0
  while (
    entries.length - drop > limits.maxEntries ||
    (chars > limits.maxChars && entries.length - drop > 1)
  ) {
    chars -= entries[drop]!.text.length
    drop++
  }
  if (drop > 0) entries = entries.slice(drop)
  return { entries, chars }
}

/** Entries that end at or after `sinceMs`. */
export function transcriptSince(state: TranscriptState, sinceMs: number): readonly TranscriptEntry[] {
  return state.entries.filter((e) => e.endMs >= sinceMs)
}
