import type { RTCRtpTransceiver } from 'werift'
import type { GetSessionStateResponse } from '../../shared/calls/schemas'
import type { Logger } from '../../shared/log/logger'
import { publicationRemb, type RembPolicy, type SubscriberBandwidth } from './media/bandwidth'
import type { Publication } from './Publication'
import { bundleTag } from './sdp'
import type { SfuPeer } from './SfuPeer'
import { Subscription, type SimulcastPrefs } from './Subscription'
import { rembPacket } from './transportWatch'

export type TrackState = NonNullable<GetSessionStateResponse['tracks']>[number]

/** Closed tracks stay listed as inactive (as Calls does), up to this many. */
const HISTORY = 64

export interface TracksContext {
  readonly remb: RembPolicy
  readonly log: Logger
  addPublication(pub: Publication): void
  removePublication(pub: Publication): void
}

/**
 * The tracks of one session, by mid: what it publishes and what it pulls, plus the recently closed ones. Owns
 * their ends (so nothing outlives the session), the per-session REMB and the subscriber side of the bandwidth
 * picture.
 */
export class SessionTracks {
  private readonly publications = new Map<string, Publication>()
  private readonly subscriptions = new Map<string, Subscription>()
  private readonly bySsrc = new Map<number, Subscription>()
  private readonly history: TrackState[] = []
  private packetsOutOfEnded = 0
  /** The client's receive estimate (its REMB), for the publishers it pulls from. */
  receiveEstimateBps: number | undefined

  constructor(
    private readonly peer: SfuPeer,
    private readonly ctx: TracksContext,
  ) {}

  publicationAt(mid: string): Publication | undefined {
    return this.publications.get(mid)
  }

  subscriptionAt(mid: string): Subscription | undefined {
    return this.subscriptions.get(mid)
  }

  /** The active publication of this session named `trackName`. */
  published(trackName: string): Publication | undefined {
    return [...this.publications.values()].find((p) => p.trackName === trackName && p.status === 'active')
  }

  addPublication(pub: Publication): void {
    this.publications.set(pub.mid, pub)
    this.ctx.addPublication(pub)
    this.ctx.log.info('track published', { trackName: pub.trackName, kind: pub.kind, rids: pub.rids })
  }

  /** A subscription feeding `transceiver` from `pub`; `register` it once its mid is known. */
  subscribe(transceiver: RTCRtpTransceiver, pub: Publication, prefs: SimulcastPrefs): Subscription {
    return new Subscription(
      transceiver,
      pub,
      prefs,
      () => this.bandwidth(),
      (ended) => this.endSubscription(ended),
      this.ctx.log,
    )
  }

  register(sub: Subscription): void {
    const mid = sub.mid
    if (mid === undefined) return
    const previous = this.subscriptions.get(mid)
    if (previous && previous !== sub) this.endSubscription(previous)
    this.subscriptions.set(mid, sub)
    this.bySsrc.set(sub.outgoingSsrc, sub)
  }

  /** A keyframe request from the client, by the SSRC it saw. */
  keyframeRequest(ssrc: number): void {
    this.bySsrc.get(ssrc)?.onKeyframeRequest()
  }

  /** Ask the publishers of every live video subscription for a keyframe (spaced per publisher stream). */
  requestKeyframes(): void {
    for (const s of this.subscriptions.values()) s.onKeyframeRequest()
  }

  /** Answers are in: start forwarding on every subscription waiting for one. */
  activate(): void {
    const connected = this.peer.connected
    for (const s of this.subscriptions.values()) s.activate(connected)
  }

  transportConnected(): void {
    for (const s of this.subscriptions.values()) s.transportConnected()
  }

  endPublication(pub: Publication): void {
    pub.end()
    this.ctx.removePublication(pub)
    this.remember({
      location: 'local',
      mid: pub.mid,
      trackName: pub.trackName,
      kind: pub.kind,
      status: 'inactive',
    })
  }

  endSubscription(sub: Subscription): void {
    sub.end()
    const mid = sub.mid
    if (mid === undefined || this.subscriptions.get(mid) !== sub) return
    this.packetsOutOfEnded += sub.counters.packetsOut
    this.subscriptions.delete(mid)
    this.bySsrc.delete(sub.outgoingSsrc)
    this.retire(sub.transceiver)
    this.remember({
      location: 'remote',
      mid,
      sessionId: sub.publication.sessionId,
      trackName: sub.publication.trackName,
      kind: sub.publication.kind,
      status: 'inactive',
    })
  }

  /** Bitrates, layer choice and REMB; every SFU tick. */
  tick(now: number): void {
    for (const p of this.publications.values()) p.measure(now)
    for (const s of this.subscriptions.values()) if (s.publication.simulcast) s.reselect()
    let total = 0
    const ssrcs: number[] = []
    for (const p of this.publications.values()) {
      if (p.kind !== 'video' || p.status !== 'active') continue
      const own = p.ssrcs()
      if (own.length === 0) continue
      ssrcs.push(...own)
      total += publicationRemb(p.bitrateBps, p.subscriberBandwidth(), p.simulcast, this.ctx.remb)
    }
    if (ssrcs.length > 0) this.peer.sendRtcp([rembPacket(total, ssrcs)])
  }

  /** For `GET /sessions/:id`. `live`: the client is not silent. */
  list(live: boolean): TrackState[] {
    const tracks: TrackState[] = []
    for (const p of this.publications.values()) {
      if (p.status !== 'active') continue
      tracks.push({
        location: 'local',
        mid: p.mid,
        trackName: p.trackName,
        kind: p.kind,
        status: live ? 'active' : 'inactive',
      })
    }
    for (const [mid, s] of this.subscriptions) {
      if (s.state === 'ended') continue
      tracks.push({
        location: 'remote',
        mid,
        sessionId: s.publication.sessionId,
        trackName: s.publication.trackName,
        kind: s.publication.kind,
        status: live && s.publication.status === 'active' && s.state === 'live' ? 'active' : 'inactive',
        ...(s.preferredRid ? { simulcast: { preferredRid: s.preferredRid } } : {}),
      })
    }
    return [...tracks, ...this.history]
  }

  closeAll(): void {
    for (const p of this.publications.values()) if (p.status === 'active') this.endPublication(p)
    for (const s of this.subscriptions.values()) s.end()
    this.subscriptions.clear()
    this.bySsrc.clear()
  }

  get counts(): { publications: number; subscriptions: number } {
    return {
      publications: [...this.publications.values()].filter((p) => p.status === 'active').length,
      subscriptions: [...this.subscriptions.values()].filter((s) => s.state !== 'ended').length,
    }
  }

  /** Packets forwarded to this session's client so far. */
  get packetsOut(): number {
    let n = this.packetsOutOfEnded
    for (const s of this.subscriptions.values()) n += s.counters.packetsOut
    return n
  }

  private bandwidth(): SubscriberBandwidth {
    let video = 0
    for (const s of this.subscriptions.values())
      if (s.state !== 'ended' && s.publication.kind === 'video') video++
    return { estimateBps: this.receiveEstimateBps, videoStreams: Math.max(1, video) }
  }

  /**
   * Take a sending transceiver out of use. Normally it is stopped: werift negotiates port 0 for it in the next
   * offer or answer, and that ends the client's track. Two cases must not be stopped, or the whole transport goes
   * with them: the last live m-line (werift closes a DTLS transport left without live transceivers, which sends
   * the client a close alert) and the BUNDLE tag (libwebrtc moves a bundle whose tag is rejected onto a new DTLS
   * transport). Those go inactive instead; the client's track is muted, and the m-line is left for it to close.
   */
  private retire(t: RTCRtpTransceiver): void {
    if (t.stopping || t.stopped) return
    // A bidirectional local track keeps its transceiver: only the pulled direction ends.
    if ([...this.publications.values()].some((p) => p.transceiver === t && p.status === 'active')) return
    const pc = this.peer.pc
    const others = pc.getTransceivers().filter((x) => x !== t && !x.stopping && !x.stopped)
    const tag = bundleTag(pc.localDescription?.sdp)
    if ((t.mid !== null && t.mid === tag) || (others.length === 0 && !pc.sctpTransport)) {
      t.setDirection('inactive')
      return
    }
    t.stop()
  }

  private remember(state: TrackState): void {
    this.history.push(state)
    if (this.history.length > HISTORY) this.history.splice(0, this.history.length - HISTORY)
  }
}
