import { RtpHeader, RtpPacket, type RTCRtpTransceiver } from 'werift'
import { chooseLayer, type SubscriberBandwidth } from './media/bandwidth'
import type { Logger } from '../../shared/log/logger'
import { realTimers, type Timers } from './media/KeyframeRequester'
import { RtpMunger } from './media/RtpMunger'
import { Vp8Munger, type Vp8Descriptor } from './media/vp8'
import { LAYER_IDLE_MS, type Layer, type PacketSink, type Publication } from './Publication'

export interface SimulcastPrefs {
  readonly preferredRid?: string | undefined
  readonly ridNotAvailable?: 'none' | 'asciibetical' | undefined
}

/** Packets kept while the subscriber's DTLS is still coming up (about 1.5 s of 640x480 video). */
const MAX_PENDING = 256

/** Until a keyframe reaches a fresh subscriber: first retries this often, then every RETRY_SLOW_MS. */
const RETRY_FAST_MS = 350
const RETRY_FAST_COUNT = 5
const RETRY_SLOW_MS = 1000

export interface SubscriptionCounters {
  packetsOut: number
  keyframeRequests: number
  layerSwitches: number
}

/**
 * A track pulled by a client (`location: remote`): one sendonly transceiver on the subscriber's PeerConnection
 * fed from a publication. It owns the subscriber's view of the stream: continuous sequence numbers and
 * timestamps across padding drops, layer switches and source switches (RtpMunger, Vp8Munger), and keyframe
 * gating so a decoder never starts on a delta frame.
 */
export class Subscription implements PacketSink {
  private readonly munger: RtpMunger
  private readonly vp8 = new Vp8Munger()
  private current: string | undefined
  private target: string | undefined
  private needKeyframe: boolean
  private retries = 0
  private retryTimer: unknown
  /** When forwarding was allowed to start (for the join timeline in debug logs). */
  private liveAt = 0
  /** Rewritten packets waiting for the subscriber's DTLS (werift drops what is sent before it is up). */
  private pending: RtpPacket[] = []
  /** negotiating: offered, no answer yet; live: forwarding; ended: source gone or closed. */
  state: 'negotiating' | 'live' | 'ended' = 'negotiating'
  readonly counters: SubscriptionCounters = { packetsOut: 0, keyframeRequests: 0, layerSwitches: 0 }

  constructor(
    readonly transceiver: RTCRtpTransceiver,
    private source: Publication,
    private prefs: SimulcastPrefs,
    /** The owning session's receive estimate (REMB) and how many video streams share it. */
    readonly bandwidth: () => SubscriberBandwidth,
    /** Called once when the source goes away, so the owner can retire this subscription. */
    private readonly onSourceEnded: (sub: Subscription) => void = () => undefined,
    private readonly log?: Logger,
    private readonly timers: Timers = realTimers,
  ) {
    this.munger = new RtpMunger(source.kind === 'audio' ? 48_000 : 90_000)
    this.needKeyframe = source.kind === 'video'
    this.target = this.pickLayer()
    source.addSink(this)
  }

  get publication(): Publication {
    return this.source
  }

  get mid(): string | undefined {
    return this.transceiver.mid ?? undefined
  }

  get preferredRid(): string | undefined {
    return this.prefs.preferredRid
  }

  /** The SSRC the subscriber sees: RTCP feedback (PLI, FIR, REMB, NACK) names it. */
  get outgoingSsrc(): number {
    return this.transceiver.sender.ssrc
  }

  /** The layer being forwarded now ('' for a non-simulcast track). */
  get currentRid(): string | undefined {
    return this.current
  }

  /**
   * The subscriber's answer is applied: ask for a keyframe now, without waiting for its transport. On a fresh
   * PeerConnection ICE and DTLS take 100-250 ms more; the keyframe arrives meanwhile, is kept (with what follows
   * it) and goes out the moment DTLS is up, so the first frame does not also wait for the publisher's encoder.
   */
  activate(transportConnected: boolean): void {
    if (this.state !== 'negotiating') return
    this.state = 'live'
    this.liveAt = this.timers.now()
    this.log?.debug('subscription live', { trackName: this.source.trackName, transportConnected })
    this.replayRecentKeyframe()
    if (this.needKeyframe) this.startKeyframeLoop()
  }

  /**
   * Start a fresh subscriber from the publication's latest keyframe when it is recent (see GOP_REPLAY_MS): the
   * keyframe and the packets since go through the usual path (gating, rewriting, holding until DTLS is up), and
   * the live packets continue from there. Only at the start of a subscription: on a running stream, replayed
   * older frames would put the stream's timestamps ahead of the wall clock.
   */
  private replayRecentKeyframe(): void {
    if (this.source.kind !== 'video' || !this.needKeyframe || this.current !== undefined) return
    const rid = this.target
    if (rid === undefined) return
    const layer = this.source.layers.get(rid)
    const now = this.timers.now()
    const cached = this.source.recentKeyframe(rid, now)
    if (!layer || !cached) return
    for (const { packet, vp8 } of cached) this.onPacket(layer, packet, vp8, now)
    if (!this.needKeyframe) this.log?.debug('started from a cached keyframe', { packets: cached.length })
  }

  /** The subscriber's DTLS came up: send what waited for it. */
  transportConnected(): void {
    if (this.state !== 'live') return
    this.log?.debug('subscriber transport up', {
      afterMs: Math.round(this.timers.now() - this.liveAt),
      pending: this.pending.length,
    })
    this.flush()
  }

  /** The subscriber asked for a keyframe (PLI or FIR routed to us by media SSRC). */
  onKeyframeRequest(): void {
    if (this.state !== 'live') return
    this.counters.keyframeRequests++
    this.source.requestKeyframe(this.target ?? this.current ?? '')
  }

  /** `tracks/update`: new simulcast preference and/or a different source track of the same kind. */
  update(source: Publication, prefs: SimulcastPrefs): void {
    if (this.state === 'ended') return
    this.prefs = prefs
    if (source !== this.source) {
      this.source.removeSink(this)
      this.source = source
      source.addSink(this)
      this.current = undefined
      if (source.kind === 'video') this.needKeyframe = true
      this.vp8.switchSource()
      this.target = undefined
    }
    this.reselect()
  }

  /** Re-run layer choice (preferences changed, or layers came and went). */
  reselect(): void {
    const next = this.pickLayer()
    if (next === this.target) return
    this.target = next
    if (this.state === 'live' && this.current === undefined) this.replayRecentKeyframe()
    // The switch happens on the target layer's next keyframe; ask for one (and keep asking) now.
    if (this.state === 'live' && (this.needKeyframe || this.current !== this.target)) {
      this.startKeyframeLoop()
    }
  }

  onPacket(layer: Layer, packet: RtpPacket, vp8: Vp8Descriptor | undefined, now: number): void {
    if (this.state !== 'live') return
    if (this.source.kind === 'video') {
      const rid = layer.rid
      if (rid !== this.current) {
        // Not started yet and the layer we wait for sends nothing (a new simulcast track starts its layers one by
        // one as its bandwidth estimate grows): choose again now rather than at the next periodic tick.
        if (this.current === undefined && rid !== this.target && this.targetIdle(now)) {
          this.reselect()
          // Started by a replay of the chosen layer's recent packets, this one included.
          if (this.current !== undefined) return
        }
        // Join or switch only at the start of a keyframe of the layer we want.
        if (rid !== this.target || !vp8?.keyframe) return
        if (this.current !== undefined) {
          this.counters.layerSwitches++
          this.vp8.switchSource()
        }
        this.current = rid
        this.keyframeForwarded(now)
      } else if (this.needKeyframe) {
        if (!vp8?.keyframe) return
        this.keyframeForwarded(now)
      }
    } else if (this.current === undefined) {
      this.current = layer.rid
    } else if (layer.rid !== this.current) {
      return
    }
    const h = packet.header
    const numbers = this.munger.rewrite(
      {
        ssrc: h.ssrc,
        sequenceNumber: h.sequenceNumber,
        timestamp: h.timestamp,
        padding: packet.payload.length === 0,
      },
      now,
    )
    if (!numbers) return
    const payload = this.source.kind === 'video' ? this.vp8.rewrite(packet.payload, vp8) : packet.payload
    // A fresh header: werift's sendRtp rewrites SSRC, payload type and extensions, and the publisher's extension
    // ids mean something else on this PeerConnection, so none are carried over.
    const header = new RtpHeader({
      payloadType: h.payloadType,
      marker: h.marker,
      sequenceNumber: numbers.sequenceNumber,
      timestamp: numbers.timestamp,
      ssrc: h.ssrc,
      extensions: [],
    })
    const out = new RtpPacket(header, payload)
    if (!this.canSend()) {
      this.hold(out)
      return
    }
    if (this.pending.length > 0) this.flush()
    this.send(out)
  }

  private send(packet: RtpPacket): void {
    this.counters.packetsOut++
    this.transceiver.sender.sendRtp(packet).catch(() => undefined)
  }

  private hold(packet: RtpPacket): void {
    this.pending.push(packet)
    if (this.pending.length <= MAX_PENDING) return
    // Too long without a transport: drop it all and start again from the next keyframe.
    this.pending = []
    if (this.source.kind === 'video') {
      this.needKeyframe = true
      this.startKeyframeLoop()
    }
  }

  private flush(): void {
    if (!this.canSend()) return
    const pending = this.pending
    this.pending = []
    for (const packet of pending) this.send(packet)
  }

  sourceEnded(): void {
    if (this.state === 'ended') return
    this.end()
    this.onSourceEnded(this)
  }

  /** Stop forwarding for good. The transceiver is stopped by the session at its next offer. */
  end(): void {
    if (this.state === 'ended') return
    this.state = 'ended'
    this.pending = []
    this.stopKeyframeLoop()
    this.source.removeSink(this)
  }

  private keyframeForwarded(now: number): void {
    if (this.needKeyframe) {
      this.log?.debug('keyframe forwarded', {
        queued: !this.canSend(),
        afterMs: Math.round(now - this.liveAt),
        requests: this.retries,
      })
    }
    this.needKeyframe = false
    this.stopKeyframeLoop()
  }

  private canSend(): boolean {
    const sender = this.transceiver.sender
    return sender.codec !== undefined && sender.dtlsTransport?.state === 'connected'
  }

  private targetIdle(now: number): boolean {
    const layer = this.target === undefined ? undefined : this.source.layers.get(this.target)
    return !layer || layer.ssrc === undefined || now - layer.lastPacketAt >= LAYER_IDLE_MS
  }

  private pickLayer(): string | undefined {
    if (!this.source.simulcast) return this.source.rids[0] ?? ''
    return chooseLayer(
      this.prefs.preferredRid,
      this.prefs.ridNotAvailable ?? 'asciibetical',
      this.source.layerActivity(this.timers.now()),
    )
  }

  private startKeyframeLoop(): void {
    if (this.source.kind !== 'video') return
    this.stopKeyframeLoop()
    this.retries = 0
    const tick = (): void => {
      this.retryTimer = undefined
      if (this.state !== 'live' || (!this.needKeyframe && this.current === this.target)) return
      this.source.requestKeyframe(this.target ?? '')
      this.retries++
      this.retryTimer = this.timers.setTimeout(
        tick,
        this.retries < RETRY_FAST_COUNT ? RETRY_FAST_MS : RETRY_SLOW_MS,
      )
    }
    tick()
  }

  private stopKeyframeLoop(): void {
    if (this.retryTimer !== undefined) this.timers.clearTimeout(this.retryTimer)
    this.retryTimer = undefined
  }
}
