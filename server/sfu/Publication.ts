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
  /** The latest keyframe and every packet since, while it is recent (see recentKeyframe). */
  gop: { readonly at: number; readonly packets: CachedPacket[] } | undefined
}

export interface CachedPacket {
  readonly packet: RtpPacket
  readonly vp8: Vp8Descriptor | undefined
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
 * How long after a keyframe a new subscriber may still start from it (replayed with the packets that followed)
 * instead of waiting for a fresh one. A stream that has just started sent its keyframe moments before anyone
 * could pull it, and a keyframe request then may be answered late (libwebrtc spaces keyframes; see
 * KeyframeRequester), so a track published mid-meeting would show its first frame a PLI round and often a retry
 * later. Replayed frames arrive in a burst and the receiver's playout timing needs a few frames to settle, so the
 * window stays short; past it the subscriber asks for a keyframe as before.
 */
export const GOP_REPLAY_MS = 400
/** A video layer silent for this long and then sending again has been through an outage (video never pauses that long). */
export const RESUME_GAP_MS = 500
/** Packets kept per layer for that replay: about 1.5 s of 640x480 at 1.5 Mbps, far more than the window needs. */
const GOP_MAX_PACKETS = 300

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

  /** The packets of one layer from its latest keyframe on, if that keyframe is at most GOP_REPLAY_MS old. */
  recentKeyframe(rid: string, now: number): readonly CachedPacket[] | undefined {
    const gop = this.layers.get(rid)?.gop
    if (!gop || now - gop.at > GOP_REPLAY_MS) return undefined
    return gop.packets
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
    for (const layer of this.layers.values()) {
      layer.keyframes.dispose()
      layer.gop = undefined
    }
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
        gop: undefined,
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
    // The publisher's media resumes after an outage (its link dropped): subscribers lost frames that NACK cannot
    // bring back, and a receiver only asks for a keyframe itself after 3 s without a decodable frame. Ask now.
    if (
      this.kind === 'video' &&
      now - layer.lastPacketAt > RESUME_GAP_MS &&
      layer.ssrc === packet.header.ssrc
    ) {
      layer.keyframes.request()
    }
    layer.lastPacketAt = now
    if (layer.ssrc !== packet.header.ssrc) {
      layer.ssrc = packet.header.ssrc
      if (layer.keyframeWanted) {
        layer.keyframeWanted = false
        layer.keyframes.request()
      }
    }
    const vp8 = this.kind === 'video' ? parseVp8(packet.payload) : undefined
    if (vp8?.keyframe) {
      layer.keyframes.keyframeArrived()
      layer.gop = { at: now, packets: [] }
    }
    if (layer.gop) {
      if (now - layer.gop.at > GOP_REPLAY_MS || layer.gop.packets.length >= GOP_MAX_PACKETS)
        layer.gop = undefined
      else layer.gop.packets.push({ packet, vp8 })
    }
    for (const sink of this.sinks) sink.onPacket(layer, packet, vp8, now)
  }
}

export function publicationKey(sessionId: string, trackName: string): string {
  return `${sessionId}/${trackName}`
}
