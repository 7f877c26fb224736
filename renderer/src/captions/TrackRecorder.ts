import { LevelGate } from './level'
import { SEGMENT_MS } from './segment'

export interface RecordedSegment {
  readonly audio: Blob
  readonly mime: string
  readonly startedAt: number
  readonly endedAt: number
  readonly speech: boolean
  readonly peakDb: number
}

export interface SegmentRecorder {
  stop(): void
}

export interface TrackRecorderOptions {
  readonly track: MediaStreamTrack
  readonly audioContext: AudioContext
  readonly onSegment: (segment: RecordedSegment) => void
  readonly onError: (message: string) => void
  readonly segmentMs?: number
}

const MIME_CHOICES = ['audio/webm;codecs=opus', 'audio/ogg;codecs=opus', 'audio/webm', 'audio/mp4']
/** How often the level gate looks at the track; the analyser window (~680 ms at 48 kHz) covers the gaps. */
const LEVEL_POLL_MS = 250

export function recorderMime(): string | null {
  if (typeof MediaRecorder === 'undefined') return null
  return MIME_CHOICES.find((m) => MediaRecorder.isTypeSupported(m)) ?? null
}

/**
 * Records one audio track in standalone segments: a new MediaRecorder per segment on a stream holding only this
 * track (the next one starts before the previous stops, so no speech falls between two files), and an
 * AnalyserNode that tells whether the segment held anything louder than silence. Never throws after
 * construction; problems go to `onError` and stop this track only.
 */
export class TrackRecorder implements SegmentRecorder {
  private readonly stream: MediaStream
  private readonly source: MediaStreamAudioSourceNode
  private readonly analyser: AnalyserNode
  private readonly window: Float32Array<ArrayBuffer>
  private readonly gate = new LevelGate()
  private readonly mime: string
  private current: { recorder: MediaRecorder; level: { peakDb: number; speech: boolean } | null } | null =
    null
  private segmentTimer: ReturnType<typeof setTimeout> | undefined
  private readonly levelTimer: ReturnType<typeof setInterval>
  private stopped = false
  private readonly onEnded = () => this.stop()

  constructor(private readonly options: TrackRecorderOptions) {
    const mime = recorderMime()
    if (!mime) throw new TypeError('This browser cannot record audio for captions.')
    this.mime = mime
    this.stream = new MediaStream([options.track])
    this.source = options.audioContext.createMediaStreamSource(this.stream)
    this.analyser = options.audioContext.createAnalyser()
    this.analyser.fftSize = 32768
    this.window = new Float32Array(this.analyser.fftSize)
    this.source.connect(this.analyser)
    this.levelTimer = setInterval(() => {
      if (!this.stopped) this.sampleLevel()
    }, LEVEL_POLL_MS)
    options.track.addEventListener('ended', this.onEnded)
    this.next()
  }

  stop(): void {
    if (this.stopped) return
    this.stopped = true
    clearTimeout(this.segmentTimer)
    clearInterval(this.levelTimer)
    this.options.track.removeEventListener('ended', this.onEnded)
    // The last partial segment is delivered too (the judge drops it when it is too short or silent).
    this.finish(this.current)
    this.current = null
    try {
      this.source.disconnect()
    } catch {
      // already disconnected
    }
  }

  private sampleLevel(): void {
    this.analyser.getFloatTimeDomainData(this.window)
    this.gate.observe(this.window, this.options.audioContext.sampleRate)
  }

  /** Start the next segment's recorder, then close the previous one. */
  private next(): void {
    if (this.stopped) return
    const previous = this.current
    let recorder: MediaRecorder
    try {
      recorder = new MediaRecorder(this.stream, { mimeType: this.mime, audioBitsPerSecond: 32_000 })
    } catch (error) {
      this.fail(error)
      return
    }
    const segment: NonNullable<typeof this.current> = { recorder, level: null }
    const parts: Blob[] = []
    const startedAt = Date.now()
    recorder.addEventListener('dataavailable', (e) => {
      if (e.data.size > 0) parts.push(e.data)
    })
    recorder.addEventListener('error', (e) => this.fail((e as Event & { error?: unknown }).error ?? e))
    recorder.addEventListener('stop', () => {
      const level = segment.level ?? { peakDb: Number.NEGATIVE_INFINITY, speech: false }
      const mime = recorder.mimeType || this.mime
      this.options.onSegment({
        audio: new Blob(parts, { type: mime }),
        mime,
        startedAt,
        endedAt: Date.now(),
        ...level,
      })
    })
    try {
      recorder.start()
    } catch (error) {
      this.fail(error)
      return
    }
    this.current = segment
    this.finish(previous)
    this.segmentTimer = setTimeout(() => this.next(), this.options.segmentMs ?? SEGMENT_MS)
  }

  /** Stop a segment's recorder; the level heard during it goes with it. */
  private finish(segment: typeof this.current): void {
    if (!segment || segment.recorder.state === 'inactive') return
    this.sampleLevel()
    segment.level = this.gate.take()
    try {
      segment.recorder.stop()
    } catch {
      // already stopped by the browser (track ended)
    }
  }

  private fail(error: unknown): void {
    const message = error instanceof Error ? error.message : String(error)
    this.stop()
    this.options.onError(`Could not record this audio for captions: ${message}`)
  }
}
