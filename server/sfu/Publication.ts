import type { MediaStreamTrack, RTCRtpTransceiver, RtpPacket } from 'werift'
import type { SubscriberBandwidth } from './media/bandwidth'
import { KeyframeRequester, realTimers, type Timers } from './media/KeyframeRequester'
import { parseVp8, type Vp8Descriptor } from './media/vp8'

/** One encoding of a publication: the whole track, or one simulcast layer (`rid`). */
export interface Layer {
  readonly rid: string
  /** Learned from the first packet: werift gives simulcast tracks no SSRC, and PLI needs it. */
  ssrc: number | undefined
  lastPacketAt: number
  readonly keyframes: KeyframeRequester
  /** A keyframe was asked for before the SSRC was known: ask as soon as it is. */
  keyframeWanted: boolean
}

/** Receives a publication's packets: one per subscriber. */
export interface PacketSink {
  onPacket(layer: Layer, packet: RtpPacket, vp8: Vp8Descriptor | undefined, now: number): void
  /** The publication ended (closed, or its publisher left). */
  sourceEnded(): void
  /** The subscriber's receive estimate, for this publication's REMB. */
  bandwidth(): SubscriberBandwidth
}

/** A layer that sent nothing for this long is treated as not available for layer choice. */
export const LAYER_IDLE_MS = 1500

/**
 * A track pushed by a client (`location: local`): the receiving side on the publisher's PeerConnection, fanning
 * each packet out to the subscriptions. Packets are parsed once here, not once per subscriber.
 */
export class Publication {
  readonly key: string
  readonly layers = new Map<string, Layer>()
  private readonly sinks = new Set<PacketSink>()
  private readonly disposers: (() => void)[] = []
  private readonly attached = new WeakSet<MediaStreamTrack>()
  private windowBytes = 0
  private windowStart: number
  status: 'active' | 'ended' = 'active'
  /** Incoming media bitrate over the last measurement window. */
  bitrateBps = 0
  packetsIn = 0
  /** Padding-only packets (bandwidth probes) received; subscribers never see them. */
  paddingIn = 0

  constructor(
    readonly sessionId: string,
    readonly trackName: string,
    readonly mid: string,
    readonly kind: 'audio' | 'video',
    /** The receiving transceiver on the publisher's PeerConnection (also sends, when bidirectional). */
    readonly transceiver: RTCRtpTransceiver,
    readonly rids: readonly string[],
    private readonly timers: Timers = realTimers,
  ) {
    this.key = publicationKey(sessionId, trackName)
    this.windowStart = timers.now()
    for (const rid of rids.length > 0 ? rids : ['']) this.layer(rid)
    for (const track of transceiver.receiver.tracks) this.attach(track)
    const sub = transceiver.onTrack.subscribe((track) => this.attach(track))
    this.disposers.push(() => sub.unSubscribe())
  }

  get simulcast(): boolean {
    return this.rids.length > 1
  }

  get subscriberCount(): number {
    return this.sinks.size
  }

  addSink(sink: PacketSink): void {
    this.sinks.add(sink)
  }

  removeSink(sink: PacketSink): void {
    this.sinks.delete(sink)
  }

  subscriberBandwidth(): SubscriberBandwidth[] {
    return [...this.sinks].map((s) => s.bandwidth())
  }

  /** Rids that sent media recently, for layer choice. */
  layerActivity(now: number): { rid: string; active: boolean }[] {
    return [...this.layers.values()].map((l) => ({
      rid: l.rid,
      active: l.ssrc !== undefined && now - l.lastPacketAt < LAYER_IDLE_MS,
    }))
  }

  /** Ask the publisher for a keyframe on one layer (spaced; see KeyframeRequester). */
  requestKeyframe(rid: string): void {
    if (this.kind !== 'video' || this.status !== 'active') return
    const layer = this.layers.get(rid)
    if (!layer) return
    if (layer.ssrc === undefined) layer.keyframeWanted = true
    else layer.keyframes.request()
  }

  /** Video SSRCs currently received, for REMB. */
  ssrcs(): number[] {
    return [...this.layers.values()].flatMap((l) => (l.ssrc === undefined ? [] : [l.ssrc]))
  }

  /** Close the bitrate window. Call about once a second. */
  measure(now: number): void {
    const elapsed = now - this.windowStart
    if (elapsed < 200) return
    this.bitrateBps = (this.windowBytes * 8 * 1000) / elapsed
    this.windowBytes = 0
    this.windowStart = now
  }

  /** Stop receiving; every subscriber learns the source is gone. Idempotent. */
  end(): void {
    if (this.status === 'ended') return
    this.status = 'ended'
    for (const dispose of this.disposers.splice(0)) dispose()
    for (const layer of this.layers.values()) layer.keyframes.dispose()
    const sinks = [...this.sinks]
    this.sinks.clear()
    for (const sink of sinks) sink.sourceEnded()
  }

  private layer(rid: string): Layer {
    let layer = this.layers.get(rid)
    if (!layer) {
      const created: Layer = {
        rid,
        ssrc: undefined,
        lastPacketAt: Number.NEGATIVE_INFINITY,
        keyframeWanted: false,
        keyframes: new KeyframeRequester(
          () => {
            if (created.ssrc !== undefined) {
              this.transceiver.receiver.sendRtcpPLI(created.ssrc).catch(() => undefined)
            }
          },
          320,
          this.timers,
        ),
      }
      layer = created
      this.layers.set(rid, layer)
    }
    return layer
  }

  private attach(track: MediaStreamTrack): void {
    if (this.attached.has(track) || this.status !== 'active') return
    this.attached.add(track)
    const layer = this.layer(track.rid ?? (this.rids.length === 1 ? this.rids[0]! : ''))
    const sub = track.onReceiveRtp.subscribe((packet) => this.onRtp(layer, packet))
    this.disposers.push(() => sub.unSubscribe())
  }

  private onRtp(layer: Layer, packet: RtpPacket): void {
    const now = this.timers.now()
    this.packetsIn++
    if (packet.payload.length === 0) this.paddingIn++
    this.windowBytes += packet.payload.length
    layer.lastPacketAt = now
    if (layer.ssrc !== packet.header.ssrc) {
      layer.ssrc = packet.header.ssrc
      if (layer.keyframeWanted) {
        layer.keyframeWanted = false
        layer.keyframes.request()
      }
    }
    const vp8 = this.kind === 'video' ? parseVp8(packet.payload) : undefined
    if (vp8?.keyframe) layer.keyframes.keyframeArrived()
    for (const sink of this.sinks) sink.onPacket(layer, packet, vp8, now)
  }
}

export function publicationKey(sessionId: string, trackName: string): string {
  return `${sessionId}/${trackName}`
}
