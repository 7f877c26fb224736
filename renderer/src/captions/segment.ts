import { AI_LIMITS, type TranscribeChunk, type TranscriptEntry } from '../../../shared/ai/schemas'

/**
 * Segments: each track is recorded in short, standalone files (the recorder restarts per segment, so every
 * chunk has its own header and is playable alone), about 4 s each: short enough for live captions, long enough
 * for the model to get whole words.
 */
export const SEGMENT_MS = 4000
/** A segment cut shorter than this (the track ended just after a restart) holds too little to transcribe. */
export const MIN_SEGMENT_MS = 500
/** Chunks of one track waiting for main at once; beyond that captions have fallen behind and a chunk is dropped. */
export const MAX_IN_FLIGHT_PER_TRACK = 2

/** The largest chunk main accepts, in bytes (base64 grows by 4/3). */
export const MAX_CHUNK_BYTES = Math.floor((AI_LIMITS.audioBase64Chars * 3) / 4) - 16

export interface Segment {
  readonly startedAt: number
  readonly endedAt: number
  readonly bytes: number
  readonly speech: boolean
}

export type SegmentVerdict = 'send' | 'silent' | 'too-short' | 'too-large' | 'empty'

/** Whether a finished segment goes to main. Silence and fragments are dropped here, before any upload. */
export function judgeSegment(segment: Segment): SegmentVerdict {
  if (segment.bytes === 0) return 'empty'
  if (segment.endedAt - segment.startedAt < MIN_SEGMENT_MS) return 'too-short'
  if (!segment.speech) return 'silent'
  if (segment.bytes > MAX_CHUNK_BYTES) return 'too-large'
  return 'send'
}

/** The container name main accepts for a recorder's MIME type (`audio/webm;codecs=opus` → `audio/webm`). */
export function chunkMime(recorderMime: string): TranscribeChunk['mime'] | null {
  const base = recorderMime.split(';')[0]!.trim().toLowerCase()
  return base === 'audio/webm' || base === 'audio/ogg' || base === 'audio/mp4' ? base : null
}

export function bytesToBase64(bytes: Uint8Array): string {
  let binary = ''
  const step = 0x8000
  for (let i = 0; i < bytes.length; i += step) {
    binary += String.fromCharCode(...bytes.subarray(i, i + step))
  }
  return btoa(binary)
}

/** The chunk for main: the audio plus who spoke (participant id and name) and when (first sample, duration). */
export function toChunk(input: {
  readonly participantId: string
  readonly speaker: string
  readonly trackKey: string
  readonly startedAt: number
  readonly endedAt: number
  readonly mime: TranscribeChunk['mime']
  readonly audio: Uint8Array
}): TranscribeChunk {
  return {
    participantId: input.participantId,
    speaker: input.speaker.slice(0, 64),
    trackId: input.trackKey.slice(0, 128),
    startedAt: Math.round(input.startedAt),
    durationMs: Math.min(60_000, Math.max(100, Math.round(input.endedAt - input.startedAt))),
    mime: input.mime,
    audio: bytesToBase64(input.audio),
  }
}

/**
 * The lines shown over the stage: the newest `max` entries in speaking order (chunks of several speakers finish
 * out of order), one entry per id.
 */
export function captionLines(entries: readonly TranscriptEntry[], max: number): TranscriptEntry[] {
  const byId = new Map<string, TranscriptEntry>()
  for (const e of entries) byId.set(e.id, e)
  return [...byId.values()].sort((a, b) => a.startMs - b.startMs || a.id.localeCompare(b.id)).slice(-max)
}
