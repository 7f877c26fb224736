import { createRequire } from 'node:module'
import type { SessionDescription, TrackObject, TracksResponse } from '../../shared/calls/schemas'
import type { SfuApi } from './sfuApi'

// Minimal shapes of the @roamhq/wrtc objects these tests use (its own typings need the DOM lib).
interface Desc {
  readonly type: string
  readonly sdp: string
}
export interface WrtcTrack {
  readonly id: string
  readonly kind: string
  readonly readyState: 'live' | 'ended'
  stop(): void
}
export interface WrtcTransceiver {
  readonly mid: string | null
  readonly currentDirection: string | null
  readonly sender: { readonly track: WrtcTrack | null }
  readonly receiver: { readonly track: WrtcTrack }
  stop(): void
}
interface WrtcPeerConnection {
  readonly connectionState: string
  readonly localDescription: Desc | null
  createOffer(options?: { iceRestart?: boolean }): Promise<Desc>
  createAnswer(): Promise<Desc>
  setLocalDescription(d: Desc): Promise<void>
  setRemoteDescription(d: Desc): Promise<void>
  addTransceiver(
    trackOrKind: WrtcTrack | string,
    init?: { direction?: string; sendEncodings?: { rid?: string; scaleResolutionDownBy?: number }[] },
  ): WrtcTransceiver
  getTransceivers(): WrtcTransceiver[]
  getStats(): Promise<Map<string, Record<string, unknown>>>
  readonly remoteDescription: Desc | null
  createDataChannel(label: string, init?: { negotiated?: boolean; id?: number }): WrtcDataChannel
  close(): void
}
export interface WrtcDataChannel {
  readonly readyState: string
  onmessage: ((event: { data: unknown }) => void) | null
  send(data: string): void
  close(): void
}
interface VideoFrame {
  width: number
  height: number
  data: Uint8Array
}
interface WrtcModule {
  RTCPeerConnection: new (config?: object) => WrtcPeerConnection
  nonstandard: {
    RTCVideoSource: new () => { createTrack(): WrtcTrack; onFrame(frame: VideoFrame): void }
    RTCAudioSource: new () => {
      createTrack(): WrtcTrack
      onData(data: { samples: Int16Array; sampleRate: number }): void
    }
    RTCVideoSink: new (track: WrtcTrack) => {
      stop(): void
      onframe: ((e: { frame: VideoFrame }) => void) | null
    }
  }
}

export const wrtc = createRequire(import.meta.url)('@roamhq/wrtc') as WrtcModule

/**
 * Native wrtc objects that were closed or stopped, kept reachable until the process exits. libwebrtc's network
 * and worker threads still post to a PeerConnection, sink or track for a while after close(); when V8 collects
 * the JS wrapper first, the native side is freed under those threads and the vitest worker dies with SIGSEGV.
 * Test processes are short, so keeping them costs little.
 */
const retained: unknown[] = []

/** Close a wrtc PeerConnection (its data channels first) and keep it from being collected. */
export function closeRetained(pc: WrtcPeerConnection, channels: readonly WrtcDataChannel[] = []): void {
  retained.push(pc, ...channels, ...pc.getTransceivers())
  for (const channel of channels) if (channel.readyState !== 'closed') channel.close()
  pc.close()
}

/** Poll until `check` holds; throws with `what` after `timeoutMs`. */
export async function waitFor(
  check: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    if (await check()) return
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

/** Decoded frames of one received video track, counted by an RTCVideoSink. */
export class VideoWatcher {
  frames = 0
  width = 0
  height = 0
  private readonly sink: { stop(): void; onframe: ((e: { frame: VideoFrame }) => void) | null }

  constructor(private readonly track: WrtcTrack) {
    this.sink = new wrtc.nonstandard.RTCVideoSink(track)
    this.sink.onframe = ({ frame }) => {
      this.frames++
      this.width = frame.width
      this.height = frame.height
    }
  }

  /** Wait for `count` more frames than now. */
  async more(count: number, timeoutMs = 10_000, what = 'decoded frames'): Promise<void> {
    const target = this.frames + count
    await waitFor(() => this.frames >= target, `${count} ${what}`, timeoutMs)
  }

  stop(): void {
    this.sink.onframe = null
    this.sink.stop()
    retained.push(this.sink, this.track)
  }
}

export interface PushOptions {
  readonly width?: number
  readonly height?: number
  readonly fps?: number
  /** Three layers f, h, q (full, half, quarter resolution). */
  readonly simulcast?: boolean
}

export interface Pulled {
  readonly mid: string
  readonly track: WrtcTrack
  readonly transceiver: WrtcTransceiver
}

/**
 * A Node WebRTC client (libwebrtc via @roamhq/wrtc) speaking the Calls flow to the local SFU: one session, one
 * PeerConnection, push with an offer, pull with the SFU's offer, close with an offer. Media is synthetic: a
 * moving picture at the asked size, and a tone.
 */
export class WrtcClient {
  readonly pc: WrtcPeerConnection = new wrtc.RTCPeerConnection({ bundlePolicy: 'max-bundle' })
  private readonly cleanup: (() => void)[] = []
  /** Local tracks (stopped once the PeerConnection is closed) and their sources; both retained after close. */
  private readonly tracks: WrtcTrack[] = []
  private readonly sources: object[] = []
  private readonly channels: WrtcDataChannel[] = []
  private constructor(
    readonly api: SfuApi,
    readonly sessionId: string,
  ) {}

  static async connect(api: SfuApi): Promise<WrtcClient> {
    const { sessionId } = await api.newSession()
    return new WrtcClient(api, sessionId)
  }

  async pushVideo(trackName: string, options: PushOptions = {}): Promise<string> {
    const width = options.width ?? 320
    const height = options.height ?? 240
    const source = new wrtc.nonstandard.RTCVideoSource()
    const track = source.createTrack()
    const transceiver = this.pc.addTransceiver(track, {
      direction: 'sendonly',
      ...(options.simulcast
        ? {
            sendEncodings: [
              { rid: 'f' },
              { rid: 'h', scaleResolutionDownBy: 2 },
              { rid: 'q', scaleResolutionDownBy: 4 },
            ],
          }
        : {}),
    })
    const frame: VideoFrame = { width, height, data: new Uint8Array((width * height * 3) / 2) }
    const paint = painter(width, height)
    let n = 0
    const timer = setInterval(
      () => {
        paint(frame, n++)
        source.onFrame(frame)
      },
      1000 / (options.fps ?? 30),
    )
    this.cleanup.push(() => clearInterval(timer))
    this.sources.push(source)
    this.tracks.push(track)
    await this.push([{ transceiver, trackName }])
    return transceiver.mid!
  }

  async pushAudio(trackName: string): Promise<string> {
    const source = new wrtc.nonstandard.RTCAudioSource()
    const track = source.createTrack()
    const transceiver = this.pc.addTransceiver(track, { direction: 'sendonly' })
    const samples = new Int16Array(480)
    let phase = 0
    const timer = setInterval(() => {
      for (let i = 0; i < samples.length; i++)
        samples[i] = Math.round(8000 * Math.sin((phase++ * 2 * Math.PI * 440) / 48_000))
      source.onData({ samples, sampleRate: 48_000 })
    }, 10)
    this.cleanup.push(() => clearInterval(timer))
    this.sources.push(source)
    this.tracks.push(track)
    await this.push([{ transceiver, trackName }])
    return transceiver.mid!
  }

  private async push(items: { transceiver: WrtcTransceiver; trackName: string }[]): Promise<TracksResponse> {
    const offer = await this.localOffer()
    const reply = await this.api.tracksNew(this.sessionId, {
      sessionDescription: offer,
      tracks: items.map(({ transceiver, trackName }) => ({
        location: 'local',
        mid: transceiver.mid!,
        trackName,
      })),
    })
    const failed = reply.tracks?.find((t) => t.errorCode)
    if (failed) throw new Error(`push failed: ${failed.errorCode} ${failed.errorDescription}`)
    await this.pc.setRemoteDescription(reply.sessionDescription!)
    return reply
  }

  /** Pull remote tracks; resolves with the transceivers once the SFU's offer is answered. */
  async pull(tracks: readonly Omit<TrackObject, 'location'>[]): Promise<Pulled[]> {
    const reply = await this.api.tracksNew(this.sessionId, {
      tracks: tracks.map((t) => ({ location: 'remote', ...t })),
    })
    const failed = reply.tracks?.find((t) => t.errorCode)
    if (failed) throw new Error(`pull failed: ${failed.errorCode} ${failed.errorDescription}`)
    if (reply.requiresImmediateRenegotiation) await this.answer(reply.sessionDescription!)
    return (reply.tracks ?? []).map((t) => {
      const transceiver = this.pc.getTransceivers().find((x) => x.mid === t.mid)
      if (!transceiver) throw new Error(`no transceiver for mid ${t.mid}`)
      return { mid: t.mid!, track: transceiver.receiver.track, transceiver }
    })
  }

  /** Apply an SFU offer and send our answer back with `renegotiate`. */
  async answer(offer: SessionDescription): Promise<void> {
    await this.pc.setRemoteDescription(offer)
    const answer = await this.pc.createAnswer()
    await this.pc.setLocalDescription(answer)
    await this.api.renegotiate(this.sessionId, { type: 'answer', sdp: this.pc.localDescription!.sdp })
  }

  /** Close tracks the Calls way: stop the transceivers, offer, `tracks/close`, apply the answer. */
  async closeTracks(mids: readonly string[]): Promise<void> {
    for (const t of this.pc.getTransceivers()) if (t.mid && mids.includes(t.mid)) t.stop()
    const offer = await this.localOffer()
    const reply = await this.api.tracksClose(this.sessionId, {
      tracks: mids.map((mid) => ({ mid })),
      sessionDescription: offer,
      force: false,
    })
    await this.pc.setRemoteDescription(reply.sessionDescription!)
  }

  /** ICE restart: a new offer with fresh credentials through `renegotiate`. */
  async restartIce(): Promise<void> {
    const offer = await this.pc.createOffer({ iceRestart: true })
    await this.pc.setLocalDescription(offer)
    const reply = await this.api.renegotiate(this.sessionId, {
      type: 'offer',
      sdp: this.pc.localDescription!.sdp,
    })
    await this.pc.setRemoteDescription(reply.sessionDescription!)
  }

  async localOffer(): Promise<SessionDescription> {
    const offer = await this.pc.createOffer()
    await this.pc.setLocalDescription(offer)
    return { type: 'offer', sdp: this.pc.localDescription!.sdp }
  }

  /** The inbound-rtp stats of the track received on `mid`. */
  async inbound(mid: string): Promise<Record<string, number>> {
    const report = await this.pc.getStats()
    for (const s of report.values()) {
      if (s['type'] === 'inbound-rtp' && s['mid'] === mid) return s as Record<string, number>
    }
    return {}
  }

  /** A data channel on this PeerConnection, closed with it. */
  createDataChannel(label: string, init?: { negotiated?: boolean; id?: number }): WrtcDataChannel {
    const channel = this.pc.createDataChannel(label, init)
    this.channels.push(channel)
    return channel
  }

  /**
   * Stop local media and close the PeerConnection (the SFU is not told: like a crash or a closed tab). Order
   * matters to libwebrtc: no more frames are fed, data channels close before their transport, tracks stop once
   * nothing sends them, and every native object stays reachable afterwards.
   */
  close(): void {
    for (const fn of this.cleanup.splice(0)) fn()
    closeRetained(this.pc, this.channels.splice(0))
    const tracks = this.tracks.splice(0)
    for (const track of tracks) track.stop()
    retained.push(...tracks, ...this.sources.splice(0))
  }
}

/** A scrolling blocky texture: steady, realistic encoder load at a few memcpys per frame. */
function painter(width: number, height: number): (frame: VideoFrame, n: number) => void {
  const base = new Uint8Array(width * height)
  // Blocks scale with the picture so every size costs the encoder about the same bits per pixel.
  const bs = Math.max(8, Math.round(width / 40))
  let seed = 12345
  for (let by = 0; by < height; by += bs) {
    for (let bx = 0; bx < width; bx += bs) {
      seed = (seed * 1103515245 + 12345) >>> 0
      const v = 32 + ((seed >>> 16) % 192)
      for (let y = by; y < Math.min(height, by + bs); y++)
        base.fill(v, y * width + bx, y * width + Math.min(width, bx + bs))
    }
  }
  return (frame, n) => {
    const shift = (n * Math.max(1, Math.round(bs / 8))) % width
    for (let y = 0; y < height; y++) {
      const row = y * width
      frame.data.set(base.subarray(row + shift, row + width), row)
      frame.data.set(base.subarray(row, row + shift), row + width - shift)
    }
    frame.data.fill(128, width * height)
  }
}
