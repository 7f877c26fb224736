import { AppError } from '../../../shared/errors/AppError'
import type { Logger } from '../../../shared/log/logger'
import { AI_LIMITS, type TranscribeChunk, type TranscriptEntry } from '../../../shared/ai/schemas'
import { addTranscriptEntry, emptyTranscript, type TranscriptState } from '../../../shared/ai/transcript'
import type { AiClient } from './AiClient'
import { AiFailure } from './errors'

/** Chunks waiting for the AI server, beyond the one in flight. More means captions fell behind: refuse. */
const MAX_WAITING = 4

/**
 * Speech to text for captions: one participant's audio chunk at a time (attributed by the caller to a track and
 * participant), into the pure transcript store. Requests run one after another, so captions keep their order
 * and a slow server cannot pile up work; when too many chunks wait, new ones are refused with `rate_limited`.
 */
export class Captions {
  private transcript: TranscriptState = emptyTranscript
  /** Bumped by `reset`, so a chunk that was in flight for the previous meeting is not stored in the new one. */
  private generation = 0
  private running = false
  private readonly waiting: Array<() => void> = []
  private readonly controller = new AbortController()

  constructor(
    private readonly deps: {
      readonly client: AiClient
      readonly log: Logger
      readonly onEntry: (entry: TranscriptEntry) => void
    },
  ) {}

  get entries(): readonly TranscriptEntry[] {
    return this.transcript.entries
  }

  last(limit: number): TranscriptEntry[] {
    return this.transcript.entries.slice(-limit)
  }

  /** Start an empty transcript (a new meeting). Chunks still in flight are dropped when they come back. */
  reset(): void {
    this.transcript = emptyTranscript
    this.generation++
  }

  /** Transcribe and store one chunk. Resolves with the entry, or null when the chunk held no speech. */
  async transcribe(chunk: TranscribeChunk): Promise<TranscriptEntry | null> {
    const bytes = Buffer.from(chunk.audio, 'base64')
    if (bytes.length < 8) throw AppError.invalidRequest('The audio chunk is empty.')
    if (chunk.mime === 'audio/wav' && bytes.subarray(0, 4).toString('latin1') !== 'RIFF') {
      throw AppError.invalidRequest('The audio chunk is not a WAV file (no RIFF header).')
    }
    if (this.running && this.waiting.length >= MAX_WAITING) {
      throw new AppError({
        code: 'rate_limited',
        message: 'Captions are falling behind the AI server, so this audio was skipped.',
        retryable: true,
      })
    }
    await this.turn()
    const generation = this.generation
    try {
      const text = await this.deps.client.transcribe({
        bytes,
        mime: chunk.mime,
        signal: this.controller.signal,
      })
      const clean = text.replace(/\s+/g, ' ').trim().slice(0, AI_LIMITS.captionChars)
      if (clean === '' || generation !== this.generation) return null
      const entry: TranscriptEntry = {
        id: `${chunk.participantId}:${chunk.trackId ?? 'audio'}:${chunk.startedAt}`,
        participantId: chunk.participantId,
        speaker: chunk.speaker,
        ...(chunk.trackId ? { trackId: chunk.trackId } : {}),
        startMs: chunk.startedAt,
        endMs: chunk.startedAt + chunk.durationMs,
        text: clean,
      }
      this.transcript = addTranscriptEntry(this.transcript, entry)
      this.deps.onEntry(entry)
      return entry
    } catch (error) {
      throw error instanceof AiFailure ? error.toAppError() : AppError.from(error)
    } finally {
      this.release()
    }
  }

  /** Stop: waiting chunks are refused, the one in flight is aborted. */
  close(): void {
    this.controller.abort()
    for (const wake of this.waiting.splice(0)) wake()
  }

  private turn(): Promise<void> {
    if (!this.running) {
      this.running = true
      return Promise.resolve()
    }
    return new Promise((resolve) => this.waiting.push(resolve))
  }

  private release(): void {
    const next = this.waiting.shift()
    if (next) next()
    else this.running = false
  }
}
