import { AppError } from '../../../shared/errors/AppError'
import type { ConveneApi } from '../../../shared/ipc/api'
import type { RecordingEntry, RecordingSourceKind, StopReason } from '../../../shared/recording/schemas'
import type { StreamServerFrame } from '../../../shared/recording/stream'
import type { ChunkSink, OpenChunkSink } from '../platform/recordingStream'
import { bitratesFor, pickMimeType } from './codec'
import { Emitter, type RecorderEvents, type RecorderState, type RecorderStopped } from './events'

/**
 * What gets recorded: one stream with (at most) one video and one audio track, and the size it is drawn at.
 * Build one with `meetingSource` (the composed layout) or `displaySource` (a screen or window).
 */
export interface RecordingSource {
  readonly kind: RecordingSourceKind
  readonly stream: MediaStream
  readonly width: number
  readonly height: number
  /** Release what only the recording used (a compositor, a display capture); called once it ends. */
  dispose?(): void
}

export type RecordingApi = Pick<ConveneApi['recording'], 'start' | 'pause' | 'resume' | 'stop'>

export interface RecorderDeps {
  readonly api: RecordingApi
  readonly openSink: OpenChunkSink
  /** Injected in tests; the browser's MediaRecorder otherwise. */
  readonly createMediaRecorder?: (stream: MediaStream, options: MediaRecorderOptions) => MediaRecorder
  readonly isTypeSupported?: (type: string) => boolean
  readonly now?: () => number
  /** Chunk length; 1 s bounds what a crash can lose to about a second. */
  readonly timesliceMs?: number
}

/** Chromium's keyframe interval option (Chrome 119+); older versions ignore it. Keyframes are seek points. */
type RecorderOptions = MediaRecorderOptions & { videoKeyFrameIntervalDuration?: number }

/**
 * Records a `RecordingSource` with MediaRecorder (VP9 or VP8 + Opus in WebM) and streams 1 s chunks to main,
 * which writes, finalises and lists the file. States: idle → starting → recording ⇄ paused → stopping →
 * stopped, or failed. Main may end a recording on its own (disk low); the recorder then stops and reports why.
 */
export class Recorder extends Emitter<RecorderEvents> {
  private current: RecorderState = 'idle'
  private id: string | null = null
  private sink: ChunkSink | null = null
  private recorder: MediaRecorder | null = null
  private source: RecordingSource | null = null
  private chain: Promise<void> = Promise.resolve()
  private startedAt = 0
  private pausedAt: number | null = null
  private pausedTotal = 0
  private endedAt: number | null = null
  private savedBytes = 0
  private stopping: Promise<RecorderStopped> | null = null
  private cleanups: Array<() => void> = []
  private readonly now: () => number

  constructor(private readonly deps: RecorderDeps) {
    super()
    this.now = deps.now ?? (() => performance.now())
  }

  get state(): RecorderState {
    return this.current
  }

  /** Main's id for the running recording, or null. */
  get recordingId(): string | null {
    return this.id
  }

  /** Media time recorded (pauses excluded), in milliseconds. */
  get elapsedMs(): number {
    if (this.startedAt === 0) return 0
    const end = this.endedAt ?? this.now()
    const pausedNow = this.pausedAt !== null ? end - this.pausedAt : 0
    return Math.max(0, end - this.startedAt - this.pausedTotal - pausedNow)
  }

  /** Whether this browser can record at all (a WebM type MediaRecorder can write). */
  static supported(isTypeSupported = defaultIsTypeSupported): boolean {
    return pickMimeType(isTypeSupported) !== null
  }

  async start(room: string, source: RecordingSource): Promise<void> {
    if (this.current !== 'idle' && this.current !== 'stopped' && this.current !== 'failed') {
      throw AppError.invalidRequest('A recording is already running.')
    }
    this.reset()
    this.source = source
    this.setState('starting')
    try {
      const mimeType = pickMimeType(this.deps.isTypeSupported ?? defaultIsTypeSupported)
      if (!mimeType) {
        throw new AppError({
          code: 'invalid_request',
          message: 'This browser cannot record WebM video, so recording is not available here.',
          retryable: false,
        })
      }
      const started = await this.deps.api.start({
        room,
        source: source.kind,
        mimeType,
        width: source.width,
        height: source.height,
      })
      this.id = started.id
      const sink = await this.deps.openSink(started.id)
      this.sink = sink
      this.cleanups.push(sink.onFrame((frame) => this.onFrame(frame)))
      const { video, audio } = bitratesFor(source.width, source.height)
      const options: RecorderOptions = {
        mimeType,
        videoBitsPerSecond: video,
        audioBitsPerSecond: audio,
        videoKeyFrameIntervalDuration: 2000,
      }
      const recorder = (this.deps.createMediaRecorder ?? ((s, o) => new MediaRecorder(s, o)))(
        source.stream,
        options,
      )
      this.recorder = recorder
      recorder.ondataavailable = (event) => this.onData(event.data)
      recorder.onerror = () => void this.finish('error', 'The browser stopped the recording (encoder error).')
      // The clock starts when start() is called, not at the `start` event: Chromium captures from the call on
      // (audio at once, off the main thread), but creates the event on the main thread, so under load its
      // timeStamp came up to a second late and the file came out that much longer than the page's clock.
      this.startedAt = await new Promise<number>((resolve, reject) => {
        const calledAt = this.now()
        recorder.onstart = () => resolve(calledAt)
        try {
          recorder.start(this.deps.timesliceMs ?? 1000)
        } catch (error) {
          reject(error instanceof Error ? error : new Error(String(error)))
        }
      })
      // A screen share ended from the browser's own "Stop sharing" bar ends the recording too.
      for (const track of source.stream.getVideoTracks()) {
        const onEnded = (): void => void this.stop('user')
        track.addEventListener('ended', onEnded)
        this.cleanups.push(() => track.removeEventListener('ended', onEnded))
      }
      const ticker = setInterval(() => this.emitProgress(), 1000)
      this.cleanups.push(() => clearInterval(ticker))
      this.setState('recording')
    } catch (error) {
      const appError = AppError.from(error)
      this.teardown()
      if (this.id) await this.deps.api.stop({ id: this.id }).catch(() => undefined)
      this.setState('failed')
      this.safeEmit('error', appError)
      throw appError
    }
  }

  pause(): void {
    if (this.current !== 'recording' || !this.recorder || !this.id) return
    this.recorder.pause()
    this.pausedAt = this.now()
    this.setState('paused')
    this.deps.api
      .pause({ id: this.id })
      .catch((error: unknown) => this.safeEmit('error', AppError.from(error)))
  }

  resume(): void {
    if (this.current !== 'paused' || !this.recorder || !this.id) return
    this.recorder.resume()
    if (this.pausedAt !== null) this.pausedTotal += this.now() - this.pausedAt
    this.pausedAt = null
    this.setState('recording')
    this.deps.api
      .resume({ id: this.id })
      .catch((error: unknown) => this.safeEmit('error', AppError.from(error)))
  }

  /** Stop, send the last chunk and wait for main to finalise the file. Safe to call more than once. */
  stop(reason: 'user' | 'meeting_ended' = 'user'): Promise<RecorderStopped> {
    return this.finish(reason)
  }

  private finish(reason: StopReason, message?: string): Promise<RecorderStopped> {
    if (this.stopping) return this.stopping
    if (this.current !== 'recording' && this.current !== 'paused') {
      return Promise.reject(AppError.invalidRequest('No recording is running.'))
    }
    this.stopping = (async () => {
      this.setState('stopping')
      // Main already closed the file for these; for the others (the user, the meeting's end, a host's order) the
      // last chunk still goes out and main finalises once the stream ends.
      const mainStopped = reason === 'disk_low' || reason === 'error' || reason === 'stream_lost'
      await this.stopMediaRecorder()
      await this.chain
      if (!mainStopped) this.sink?.end()
      let entry: RecordingEntry | null = null
      if (this.id) {
        try {
          const apiReason = reason === 'meeting_ended' ? 'meeting_ended' : 'user'
          entry = (await this.deps.api.stop({ id: this.id, reason: apiReason })).entry
        } catch (error) {
          this.safeEmit('error', AppError.from(error))
        }
      }
      this.teardown()
      const info: RecorderStopped = {
        reason,
        entry,
        elapsedMs: this.elapsedMs,
        ...(message ? { message } : {}),
      }
      this.setState('stopped')
      this.safeEmit('stopped', info)
      return info
    })()
    return this.stopping
  }

  private onData(blob: Blob): void {
    if (blob.size === 0) return
    // arrayBuffer() is async: chain it so chunks leave in the order MediaRecorder produced them.
    this.chain = this.chain.then(async () => {
      const bytes = await blob.arrayBuffer()
      this.sink?.write(bytes)
    })
  }

  private onFrame(frame: StreamServerFrame): void {
    switch (frame.t) {
      case 'ack':
        this.savedBytes = frame.bytes
        return
      case 'stopped':
        void this.finish(frame.reason, frame.message).catch(() => undefined)
        return
      case 'error':
        void this.finish('stream_lost', frame.message).catch(() => undefined)
        return
      default:
        frame satisfies never
    }
  }

  private async stopMediaRecorder(): Promise<void> {
    const recorder = this.recorder
    if (!recorder || recorder.state === 'inactive') return
    // As for start: the call is when capture ends, whenever the main thread gets to the `stop` event.
    const stoppedAt = this.now()
    await new Promise<void>((resolve) => {
      // The last dataavailable fires before stop.
      recorder.addEventListener('stop', () => resolve(), { once: true })
      recorder.stop()
    })
    if (this.pausedAt !== null) this.pausedTotal += stoppedAt - this.pausedAt
    this.pausedAt = null
    this.endedAt = stoppedAt
  }

  private emitProgress(): void {
    this.safeEmit('progress', { elapsedMs: this.elapsedMs, savedBytes: this.savedBytes })
  }

  private teardown(): void {
    for (const cleanup of this.cleanups.splice(0)) cleanup()
    if (this.recorder && this.recorder.state !== 'inactive') this.recorder.stop()
    this.sink?.close()
    this.sink = null
    this.endedAt ??= this.startedAt > 0 ? this.now() : null
    this.source?.dispose?.()
    this.source = null
  }

  private reset(): void {
    this.id = null
    this.recorder = null
    this.chain = Promise.resolve()
    this.startedAt = 0
    this.pausedAt = null
    this.pausedTotal = 0
    this.endedAt = null
    this.savedBytes = 0
    this.stopping = null
  }

  private setState(state: RecorderState): void {
    if (this.current === state) return
    this.current = state
    this.safeEmit('state', state)
    this.emitProgress()
  }
}

function defaultIsTypeSupported(type: string): boolean {
  return typeof MediaRecorder !== 'undefined' && MediaRecorder.isTypeSupported(type)
}
