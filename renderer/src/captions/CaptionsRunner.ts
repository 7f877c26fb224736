import type { TranscribeChunk } from '../../../shared/ai/schemas'
import { AppError } from '../../../shared/errors/AppError'
import { diffSources, type CaptionSource } from './sources'
import type { RecordedSegment, SegmentRecorder } from './TrackRecorder'
import { chunkMime, judgeSegment, MAX_IN_FLIGHT_PER_TRACK, toChunk } from './segment'

export interface CaptionsRunnerDeps {
  /** Start recording one track; segments come back through `onSegment`. */
  readonly record: (
    source: CaptionSource,
    onSegment: (segment: RecordedSegment) => void,
    onError: (message: string) => void,
  ) => SegmentRecorder
  /** Send one chunk to main (`ai:transcribeChunk`). */
  readonly transcribe: (chunk: TranscribeChunk) => Promise<unknown>
  /** A problem to show in the captions area (null: things work again). Captions go on. */
  readonly onProblem: (message: string | null) => void
  /** A problem that stops captions (no key, key rejected, captions turned off elsewhere). */
  readonly onFatal: (message: string) => void
}

/** Counters for tests, the bench and the diagnostics view. */
export interface CaptionsStats {
  sent: number
  silent: number
  dropped: number
  failed: number
}

interface Running {
  readonly source: CaptionSource
  readonly recorder: SegmentRecorder
  /** Current name of the speaker, read per chunk so a rename applies to the next chunk. */
  name: string
  inFlight: number
}

/**
 * Live captions for one meeting: one recorder per participant's audio track, each finished segment judged
 * (silence and fragments are dropped here), attributed to its track's participant and sent to main one by one.
 * Nothing here throws into the meeting: recorder and AI failures become messages for the captions area.
 */
export class CaptionsRunner {
  readonly stats: CaptionsStats = { sent: 0, silent: 0, dropped: 0, failed: 0 }
  private readonly running = new Map<string, Running>()
  private closed = false

  constructor(private readonly deps: CaptionsRunnerDeps) {}

  get keys(): string[] {
    return [...this.running.keys()]
  }

  /** Make the recorders match the meeting's audio tracks now. */
  sync(sources: readonly CaptionSource[]): void {
    if (this.closed) return
    const { start, stop } = diffSources(
      new Map([...this.running].map(([key, r]) => [key, r.source])),
      sources,
    )
    for (const key of stop) this.stopOne(key)
    for (const source of start) this.startOne(source)
    for (const source of sources) {
      const r = this.running.get(source.key)
      if (r) r.name = source.name
    }
  }

  close(): void {
    this.closed = true
    for (const key of [...this.running.keys()]) this.stopOne(key)
  }

  private startOne(source: CaptionSource): void {
    try {
      const entry: Running = {
        source,
        name: source.name,
        inFlight: 0,
        recorder: this.deps.record(
          source,
          (segment) => void this.onSegment(entry, segment),
          (message) => {
            this.running.delete(source.key)
            this.deps.onProblem(`${source.name}: ${message}`)
          },
        ),
      }
      this.running.set(source.key, entry)
    } catch (error) {
      this.deps.onProblem(`${source.name}: ${error instanceof Error ? error.message : String(error)}`)
    }
  }

  private stopOne(key: string): void {
    const r = this.running.get(key)
    this.running.delete(key)
    r?.recorder.stop()
  }

  private async onSegment(r: Running, segment: RecordedSegment): Promise<void> {
    const verdict = judgeSegment({
      startedAt: segment.startedAt,
      endedAt: segment.endedAt,
      bytes: segment.audio.size,
      speech: segment.speech,
    })
    if (verdict === 'silent') {
      this.stats.silent++
      return
    }
    if (verdict !== 'send' || this.closed) {
      this.stats.dropped++
      return
    }
    const mime = chunkMime(segment.mime)
    if (!mime) {
      this.stats.dropped++
      return
    }
    if (r.inFlight >= MAX_IN_FLIGHT_PER_TRACK) {
      this.stats.dropped++
      this.deps.onProblem('Captions are falling behind the AI server; some speech was skipped.')
      return
    }
    r.inFlight++
    try {
      const audio = new Uint8Array(await segment.audio.arrayBuffer())
      const chunk = toChunk({
        participantId: r.source.participantId,
        speaker: r.name,
        trackKey: r.source.key,
        startedAt: segment.startedAt,
        endedAt: segment.endedAt,
        mime,
        audio,
      })
      await this.deps.transcribe(chunk)
      this.stats.sent++
      if (!this.closed) this.deps.onProblem(null)
    } catch (error) {
      this.stats.failed++
      if (this.closed) return
      const e = AppError.from(error)
      if (e.code === 'unauthorized' || e.code === 'forbidden') this.deps.onFatal(e.message)
      else this.deps.onProblem(`Captions: ${e.message}`)
    } finally {
      r.inFlight--
    }
  }
}
