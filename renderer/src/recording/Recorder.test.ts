import { describe, expect, it, vi } from 'vitest'
import type { RecordingEntry } from '../../../shared/recording/schemas'
import type { StreamServerFrame } from '../../../shared/recording/stream'
import type { ChunkSink } from '../platform/recordingStream'
import { Recorder, type RecordingApi, type RecordingSource } from './Recorder'

const ID = 'Qk9PS19SRUNPUkRJTkdfMQ'
const ENTRY: RecordingEntry = {
  name: 'r.webm',
  bytes: 10,
  modifiedAt: 0,
  durationMs: 3000,
  width: 1280,
  height: 720,
  status: 'ready',
}

/** A chunk whose bytes arrive after `delay` ms, to shake the order in which arrayBuffer() settles. */
function chunk(text: string, delay = 0): Blob {
  return {
    size: text.length,
    arrayBuffer: () =>
      new Promise<ArrayBuffer>((r) => setTimeout(() => r(new TextEncoder().encode(text).buffer), delay)),
  } as unknown as Blob
}

class FakeMediaRecorder extends EventTarget {
  state: 'inactive' | 'recording' | 'paused' = 'inactive'
  ondataavailable: ((e: { data: Blob }) => void) | null = null
  onstart: (() => void) | null = null
  onerror: (() => void) | null = null
  timeslice = 0
  constructor(
    readonly stream: MediaStream,
    readonly options: MediaRecorderOptions,
    /** A busy main thread: the clock moves this far before each event is dispatched. */
    private readonly lag: { readonly ms: number; readonly advance: (ms: number) => void } = {
      ms: 0,
      advance: () => undefined,
    },
  ) {
    super()
  }
  start(timeslice: number): void {
    this.timeslice = timeslice
    this.state = 'recording'
    setTimeout(() => {
      this.lag.advance(this.lag.ms)
      this.onstart?.()
    }, 0)
  }
  pause(): void {
    this.state = 'paused'
  }
  resume(): void {
    this.state = 'recording'
  }
  stop(): void {
    this.state = 'inactive'
    setTimeout(() => {
      this.lag.advance(this.lag.ms)
      this.data(chunk('last', 5))
      this.dispatchEvent(new Event('stop'))
    }, 0)
  }
  data(blob: Blob): void {
    this.ondataavailable?.({ data: blob })
  }
}

function setup(options: { openSinkFails?: boolean; webm?: boolean; eventLagMs?: number } = {}) {
  const log: string[] = []
  const frames = new Set<(f: StreamServerFrame) => void>()
  const sink: ChunkSink = {
    write: (b) => void log.push(`write:${new TextDecoder().decode(b)}`),
    end: () => void log.push('end'),
    onFrame: (l) => (frames.add(l), () => void frames.delete(l)),
    buffered: 0,
    close: () => void log.push('close'),
  }
  const api = {
    start: vi.fn(async () => (log.push('api.start'), { id: ID, name: 'r.webm', folder: '/tmp' })),
    pause: vi.fn(async () => (log.push('api.pause'), {}) as never),
    resume: vi.fn(async () => (log.push('api.resume'), {}) as never),
    stop: vi.fn(
      async (req: { id: string; reason?: string }) => (log.push(`api.stop:${req.reason}`), { entry: ENTRY }),
    ),
  } satisfies RecordingApi
  let now = 1000
  let media: FakeMediaRecorder | null = null
  const track = new EventTarget()
  const dispose = vi.fn()
  const source: RecordingSource = {
    kind: 'meeting',
    stream: { getVideoTracks: () => [track] } as unknown as MediaStream,
    width: 1280,
    height: 720,
    dispose,
  }
  const recorder = new Recorder({
    api,
    openSink: async () => {
      if (options.openSinkFails) throw new Error('no socket')
      return sink
    },
    createMediaRecorder: (stream, opts) =>
      (media = new FakeMediaRecorder(stream, opts, {
        ms: options.eventLagMs ?? 0,
        advance: (ms) => void (now += ms),
      })) as unknown as MediaRecorder,
    isTypeSupported: (t) => (options.webm ?? true) && t.startsWith('video/webm'),
    now: () => now,
  })
  const states: string[] = []
  recorder.on('state', (s) => void states.push(s))
  return {
    recorder,
    api,
    log,
    states,
    source,
    dispose,
    track,
    media: () => media!,
    advance: (ms: number) => void (now += ms),
    serverFrame: (f: StreamServerFrame) => frames.forEach((l) => l(f)),
  }
}

describe('Recorder', () => {
  it('records VP9/Opus in 1 s chunks, keeps their order, and stops after main finalised', async () => {
    const t = setup()
    await t.recorder.start('abc-defg-hij', t.source)
    expect(t.api.start).toHaveBeenCalledWith({
      room: 'abc-defg-hij',
      source: 'meeting',
      mimeType: 'video/webm;codecs=vp9,opus',
      width: 1280,
      height: 720,
    })
    expect(t.media().timeslice).toBe(1000)
    expect(t.media().options).toMatchObject({ videoBitsPerSecond: 2_000_000, audioBitsPerSecond: 96_000 })
    // The first chunk's bytes arrive last: they must still be written first.
    t.media().data(chunk('one', 30))
    t.media().data(chunk('two', 0))
    t.media().data(chunk('three', 10))
    t.advance(3000)
    const stopped = new Promise((r) => t.recorder.on('stopped', r))
    const info = await t.recorder.stop()
    expect(info).toMatchObject({ reason: 'user', entry: ENTRY, elapsedMs: 3000 })
    await stopped
    expect(t.log).toEqual([
      'api.start',
      'write:one',
      'write:two',
      'write:three',
      'write:last',
      'end',
      'api.stop:user',
      'close',
    ])
    expect(t.states).toEqual(['starting', 'recording', 'stopping', 'stopped'])
    expect(t.dispose).toHaveBeenCalledTimes(1)
    // Stopping twice is the same stop.
    expect(await t.recorder.stop()).toBe(info)
    expect(t.api.stop).toHaveBeenCalledTimes(1)
  })

  it('leaves paused time out of the recorded time', async () => {
    const t = setup()
    await t.recorder.start('room', t.source)
    t.advance(2000)
    t.recorder.pause()
    expect(t.media().state).toBe('paused')
    t.advance(5000)
    expect(t.recorder.elapsedMs).toBe(2000)
    t.recorder.resume()
    t.advance(1000)
    expect(t.recorder.elapsedMs).toBe(3000)
    expect((await t.recorder.stop('meeting_ended')).elapsedMs).toBe(3000)
    expect(t.log).toContain('api.pause')
    expect(t.log).toContain('api.resume')
    expect(t.log).toContain('api.stop:meeting_ended')
  })

  it('times the recording from the start() and stop() calls, however late the main thread fires the events', async () => {
    // Chromium captures from the call on but creates the start event on the main thread; timing from the event
    // made a loaded page's clock up to a second shorter than the file.
    const t = setup({ eventLagMs: 900 })
    await t.recorder.start('room', t.source)
    expect(t.recorder.elapsedMs).toBe(900)
    t.advance(3000)
    expect((await t.recorder.stop()).elapsedMs).toBe(3900)
  })

  it('stops at the room’s request like a user stop: the last chunk goes out and main finalises', async () => {
    const t = setup()
    await t.recorder.start('room', t.source)
    const stopped = new Promise<{ reason: string; message?: string }>((r) => t.recorder.on('stopped', r))
    t.serverFrame({
      t: 'stopped',
      reason: 'forbidden',
      message: 'A host no longer lets participants record.',
    })
    expect(await stopped).toMatchObject({
      reason: 'forbidden',
      message: 'A host no longer lets participants record.',
      entry: ENTRY,
    })
    expect(t.log.slice(-4)).toEqual(['write:last', 'end', 'api.stop:user', 'close'])
  })

  it('stops when main says the disk is low, without sending an end it no longer waits for', async () => {
    const t = setup()
    await t.recorder.start('room', t.source)
    const stopped = new Promise<{ reason: string; message?: string }>((r) => t.recorder.on('stopped', r))
    t.serverFrame({ t: 'stopped', reason: 'disk_low', message: 'Recording stopped: only 400 MB left.' })
    expect(await stopped).toMatchObject({
      reason: 'disk_low',
      message: 'Recording stopped: only 400 MB left.',
    })
    expect(t.log).not.toContain('end')
    expect(t.recorder.state).toBe('stopped')
  })

  it('ends the recording when the captured screen stops', async () => {
    const t = setup()
    await t.recorder.start('room', t.source)
    const stopped = new Promise((r) => t.recorder.on('stopped', r))
    t.track.dispatchEvent(new Event('ended'))
    await stopped
    expect(t.log).toContain('api.stop:user')
  })

  it('fails cleanly when the stream cannot open: tells main to stop, reports the error', async () => {
    const t = setup({ openSinkFails: true })
    const errors: string[] = []
    t.recorder.on('error', (e) => void errors.push(e.code))
    await expect(t.recorder.start('room', t.source)).rejects.toMatchObject({ code: 'internal' })
    expect(t.api.stop).toHaveBeenCalledWith({ id: ID })
    expect(t.recorder.state).toBe('failed')
    expect(errors).toEqual(['internal'])
    expect(t.dispose).toHaveBeenCalled()
  })

  it('refuses to start where MediaRecorder cannot write WebM', async () => {
    const t = setup({ webm: false })
    await expect(t.recorder.start('room', t.source)).rejects.toMatchObject({
      message: expect.stringMatching(/cannot record WebM/),
    })
    expect(t.api.start).not.toHaveBeenCalled()
  })
})
