import { randomUUID } from 'node:crypto'
import type {
  CloseTracksRequest,
  CloseTracksResponse,
  GetSessionStateResponse,
  RenegotiateResponse,
  SessionDescription,
  TrackReply,
  TracksRequest,
  TracksResponse,
  UpdateTracksRequest,
  UpdateTracksResponse,
} from '../../shared/calls/schemas'
import type { Logger } from '../../shared/log/logger'
import { SessionDataChannels, type DataChannelRegistry } from './DataChannels'
import { CallsApiError, itemErrors } from './errors'
import type { RembPolicy } from './media/bandwidth'
import { Publication } from './Publication'
import { mediaSections, type MediaSection } from './sdp'
import { SerialQueue } from '../../shared/util/serialQueue'
import { SessionTracks } from './SessionTracks'
import { SfuPeer } from './SfuPeer'
import type { SimulcastPrefs } from './Subscription'

/**
 * A client that receives video sends RTCP at least every 1.5 s (libwebrtc's randomised 1 s report interval) and
 * STUN every 2.5 s, so hearing nothing for this long means its link was down.
 */
export const INBOUND_GAP_MS = 2000

export interface SessionTimings {
  /** A session that never connects is dropped after this long without API use. */
  readonly idleMs: number
  /** No datagram from the client for this long: its tracks are reported inactive. */
  readonly silenceMs: number
  /** ...and after this much more silence the session is closed (the Calls reuse window). */
  readonly reuseWindowMs: number
}

/** What a session needs from the SFU around it. */
export interface SessionContext {
  readonly address: string
  readonly lossRate: number
  readonly timings: SessionTimings
  readonly remb: RembPolicy
  readonly log: Logger
  readonly dataChannels: DataChannelRegistry
  findPublication(sessionId: string, trackName: string): Publication | undefined
  addPublication(pub: Publication): void
  removePublication(pub: Publication): void
  sessionClosed(session: Session): void
  countTestDrop(): void
}

type TrackList = NonNullable<TracksRequest['tracks']>

/**
 * One Calls session: one werift PeerConnection and the tracks pushed and pulled on it. Every operation that
 * touches SDP runs through one queue.
 */
export class Session {
  readonly id = randomUUID().replaceAll('-', '')
  private readonly peer: SfuPeer
  readonly dataChannels: SessionDataChannels
  private readonly queue = new SerialQueue()
  private readonly tracks: SessionTracks
  private readonly log: Logger
  private lastInboundAt: number
  private lastApiAt: number
  private connectedOnce = false
  private silent = false
  closed = false

  constructor(private readonly ctx: SessionContext) {
    this.log = ctx.log.child(`session.${this.id.slice(0, 8)}`)
    this.peer = new SfuPeer(ctx.address, ctx.lossRate, this.log, {
      onInbound: () => this.touch(),
      onConnected: () => this.onConnected(),
      onGone: (reason) => this.close(reason),
      onKeyframeRequest: (ssrc) => this.tracks.keyframeRequest(ssrc),
      onReceiveEstimate: (bps) => (this.tracks.receiveEstimateBps = bps),
      onTestDrop: () => ctx.countTestDrop(),
    })
    this.tracks = new SessionTracks(this.peer, {
      remb: ctx.remb,
      log: this.log,
      addPublication: (pub) => ctx.addPublication(pub),
      removePublication: (pub) => ctx.removePublication(pub),
    })
    this.dataChannels = new SessionDataChannels(this.peer, this.id, ctx.dataChannels)
    this.lastInboundAt = this.lastApiAt = performance.now()
  }

  /** Run one API operation in this session's queue. */
  run<T>(op: () => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(CallsApiError.sessionGone(this.id))
    this.lastApiAt = performance.now()
    return this.queue.push(async () => {
      if (this.closed) throw CallsApiError.sessionGone(this.id)
      return op()
    })
  }

  /** `sessions/new` with an offer: negotiate only; tracks are named by a later `tracks/new`. */
  async start(offer: SessionDescription): Promise<SessionDescription> {
    return { type: 'answer', sdp: await this.peer.answer(offer) }
  }

  async addTracks(req: TracksRequest): Promise<TracksResponse> {
    const tracks = req.tracks ?? []
    const local = tracks.filter((t) => t.location !== 'remote')
    const remote = tracks.filter((t) => t.location === 'remote')
    if (req.sessionDescription) {
      if (remote.length > 0) {
        throw CallsApiError.invalidParams('Pull remote tracks in a request without a sessionDescription.')
      }
      return this.push(req.sessionDescription, local, req.autoDiscover === true)
    }
    if (local.length + remote.length === 0) {
      throw CallsApiError.invalidParams('Nothing to do: no tracks and no offer.')
    }
    return this.sfuOffer(local, remote)
  }

  private async push(
    offer: SessionDescription,
    local: TrackList,
    autoDiscover: boolean,
  ): Promise<TracksResponse> {
    if (offer.type !== 'offer') throw CallsApiError.invalidDescription('tracks/new takes an offer.')
    this.peer.requireStable()
    const sections = mediaSections(offer.sdp)
    await this.peer.setRemote(offer)
    const wanted = local.map((t) => ({ mid: t.mid, trackName: t.trackName }))
    if (autoDiscover) {
      const named = new Set(wanted.map((w) => w.mid))
      for (const s of sections) {
        if (s.mid === undefined || named.has(s.mid) || this.tracks.publicationAt(s.mid)) continue
        if ((s.kind === 'audio' || s.kind === 'video') && s.port !== 0 && s.direction.startsWith('send')) {
          wanted.push({ mid: s.mid, trackName: randomUUID() })
        }
      }
    }
    const replies: TrackReply[] = wanted.map((w) => this.publish(w.mid, w.trackName, sections))
    const sdp = await this.peer.createAnswer()
    return {
      requiresImmediateRenegotiation: false,
      sessionDescription: { type: 'answer', sdp },
      tracks: replies,
    }
  }

  private publish(
    mid: string | undefined,
    trackName: string | undefined,
    sections: MediaSection[],
  ): TrackReply {
    const base = { location: 'local' as const, ...(mid ? { mid } : {}), ...(trackName ? { trackName } : {}) }
    if (!mid || !trackName)
      return { ...base, ...itemErrors.invalid('A local track needs mid and trackName.') }
    const section = sections.find((s) => s.mid === mid)
    const transceiver = this.peer.transceiver(mid)
    if (!section || !transceiver || (section.kind !== 'audio' && section.kind !== 'video')) {
      return { ...base, ...itemErrors.invalid(`The offer has no audio or video m-line with mid ${mid}.`) }
    }
    if (this.tracks.published(trackName)) return { ...base, ...itemErrors.repeatedLocal(trackName) }
    const previous = this.tracks.publicationAt(mid)
    if (previous?.status === 'active') this.tracks.endPublication(previous)
    // Receive only: a sendrecv offer must not make werift expect media from us on this m-line.
    transceiver.setDirection('recvonly')
    this.tracks.addPublication(
      new Publication(this.id, trackName, mid, section.kind, transceiver, section.sendRids),
    )
    return { ...base, kind: section.kind }
  }

  /**
   * Tracks added on the SFU's initiative, answered by the client through `renegotiate`: pulls of remote tracks,
   * and local tracks without an offer (`kind` given; `bidirectionalMediaStream` makes the transceiver sendrecv,
   * as for an AI agent's voice). A pull into `mid: '#<trackName>'` reuses such a bidirectional transceiver and
   * needs no renegotiation.
   */
  private async sfuOffer(local: TrackList, remote: TrackList): Promise<TracksResponse> {
    this.peer.requireStable()
    const replies: TrackReply[] = []
    const afterOffer: (() => void)[] = []
    for (const t of local) {
      const base: TrackReply = { location: 'local', ...(t.trackName ? { trackName: t.trackName } : {}) }
      const kind = t.kind
      if (!t.trackName || (kind !== 'audio' && kind !== 'video')) {
        replies.push({
          ...base,
          ...itemErrors.invalid('Without an offer a local track needs trackName and kind.'),
        })
        continue
      }
      if (this.tracks.published(t.trackName)) {
        replies.push({ ...base, ...itemErrors.repeatedLocal(t.trackName) })
        continue
      }
      const transceiver = this.peer.pc.addTransceiver(kind, {
        direction: t.bidirectionalMediaStream ? 'sendrecv' : 'recvonly',
      })
      const reply: TrackReply = {
        ...base,
        kind,
        ...(t.bidirectionalMediaStream ? { bidirectionalMediaStream: true } : {}),
      }
      replies.push(reply)
      const trackName = t.trackName
      afterOffer.push(() => {
        if (transceiver.mid === null) return
        reply.mid = transceiver.mid
        this.tracks.addPublication(
          new Publication(this.id, trackName, transceiver.mid, kind, transceiver, []),
        )
      })
    }
    for (const t of remote) {
      const base: TrackReply = {
        location: 'remote',
        ...(t.sessionId ? { sessionId: t.sessionId } : {}),
        ...(t.trackName ? { trackName: t.trackName } : {}),
        ...(t.simulcast ? { simulcast: t.simulcast } : {}),
      }
      if (!t.sessionId || !t.trackName) {
        replies.push({ ...base, ...itemErrors.invalid('A remote track needs sessionId and trackName.') })
        continue
      }
      const pub = this.ctx.findPublication(t.sessionId, t.trackName)
      if (!pub || pub.status !== 'active') {
        replies.push({ ...base, ...itemErrors.trackNotFound(t.sessionId, t.trackName) })
        continue
      }
      if (t.mid !== undefined) {
        replies.push(this.pullInto(t.mid, pub, base, simulcastPrefs(t.simulcast)))
        continue
      }
      const transceiver = this.peer.pc.addTransceiver(pub.kind, { direction: 'sendonly' })
      const sub = this.tracks.subscribe(transceiver, pub, simulcastPrefs(t.simulcast))
      const reply: TrackReply = { ...base, kind: pub.kind }
      replies.push(reply)
      afterOffer.push(() => {
        if (sub.mid === undefined) return
        reply.mid = sub.mid
        this.tracks.register(sub)
      })
    }
    if (afterOffer.length === 0) return { requiresImmediateRenegotiation: false, tracks: replies }
    const sdp = await this.peer.createOffer()
    for (const fn of afterOffer) fn()
    return {
      requiresImmediateRenegotiation: true,
      sessionDescription: { type: 'offer', sdp },
      tracks: replies,
    }
  }

  /** Pull into this session's bidirectional local track named by `#<trackName>`. */
  private pullInto(mid: string, pub: Publication, base: TrackReply, prefs: SimulcastPrefs): TrackReply {
    const host = mid.startsWith('#') ? this.tracks.published(mid.slice(1)) : undefined
    if (!host || host.transceiver.direction !== 'sendrecv') {
      return {
        ...base,
        ...itemErrors.invalid(`${mid} does not name a bidirectional local track of this session.`),
      }
    }
    if (host.kind !== pub.kind) {
      return { ...base, ...itemErrors.invalid(`Cannot carry ${pub.kind} on the ${host.kind} track ${mid}.`) }
    }
    const sub = this.tracks.subscribe(host.transceiver, pub, prefs)
    this.tracks.register(sub)
    sub.activate(this.peer.connected)
    return { ...base, mid: host.mid, kind: pub.kind }
  }

  /** `renegotiate`: the answer to our offer, or a client offer (ICE restart, client-side changes). */
  async renegotiate(desc: SessionDescription): Promise<RenegotiateResponse> {
    if (desc.type === 'answer') {
      if (this.peer.pc.signalingState !== 'have-local-offer') {
        throw CallsApiError.invalidDescription('There is no SFU offer waiting for an answer on this session.')
      }
      await this.peer.setRemote(desc)
      this.tracks.activate()
      return {}
    }
    this.peer.requireStable()
    const sdp = await this.peer.answer(desc)
    this.tracks.activate()
    return { sessionDescription: { type: 'answer', sdp } }
  }

  async closeTracks(req: CloseTracksRequest): Promise<CloseTracksResponse> {
    if (req.sessionDescription && req.sessionDescription.type !== 'offer') {
      throw CallsApiError.invalidDescription(
        'tracks/close takes the client offer that stops the transceivers.',
      )
    }
    if (!req.force && req.sessionDescription) this.peer.requireStable()
    const replies = req.tracks.map(({ mid }) => {
      const pub = this.tracks.publicationAt(mid)
      const sub = this.tracks.subscriptionAt(mid)
      const open = [pub?.status === 'active', sub !== undefined && sub.state !== 'ended']
      if (!open.includes(true)) return { mid, ...itemErrors.closeMissing() }
      if (sub && open[1]) this.tracks.endSubscription(sub)
      if (pub && open[0]) this.tracks.endPublication(pub)
      return { mid }
    })
    if (req.force) return { requiresImmediateRenegotiation: false, tracks: replies }
    if (req.sessionDescription) {
      const sdp = await this.peer.answer(req.sessionDescription)
      return {
        requiresImmediateRenegotiation: false,
        sessionDescription: { type: 'answer', sdp },
        tracks: replies,
      }
    }
    // No offer and not forced: the SFU re-offers with the closed m-lines stopped.
    this.peer.requireStable()
    const sdp = await this.peer.createOffer()
    return {
      requiresImmediateRenegotiation: true,
      sessionDescription: { type: 'offer', sdp },
      tracks: replies,
    }
  }

  async updateTracks(req: UpdateTracksRequest): Promise<UpdateTracksResponse> {
    const replies = req.tracks.map((t): TrackReply => {
      const base: TrackReply = { ...t }
      const sub = t.mid !== undefined ? this.tracks.subscriptionAt(t.mid) : undefined
      if (!sub || sub.state === 'ended')
        return { ...base, ...itemErrors.update('No pulled track with that mid.') }
      let source = sub.publication
      if (t.sessionId !== undefined || t.trackName !== undefined) {
        const next = this.ctx.findPublication(
          t.sessionId ?? source.sessionId,
          t.trackName ?? source.trackName,
        )
        if (!next || next.status !== 'active') {
          return { ...base, ...itemErrors.trackNotFound(t.sessionId ?? '', t.trackName ?? '') }
        }
        if (next.kind !== source.kind) {
          return {
            ...base,
            ...itemErrors.update(`Cannot carry ${next.kind} on a ${source.kind} transceiver.`),
          }
        }
        source = next
      }
      sub.update(source, t.simulcast ? simulcastPrefs(t.simulcast) : { preferredRid: sub.preferredRid })
      return { ...base, sessionId: source.sessionId, trackName: source.trackName }
    })
    return { requiresImmediateRenegotiation: false, tracks: replies }
  }

  state(): GetSessionStateResponse {
    // Active until closed or until the client goes silent (as in Calls, not a promise that packets flow).
    return { tracks: this.tracks.list(!this.silent), dataChannels: this.dataChannels.list() }
  }

  /** Periodic work (the SFU calls this every TICK_MS): bitrates, REMB, layer choice, liveness. */
  tick(now: number): void {
    if (this.closed) return
    this.tracks.tick(now)
    const { idleMs, silenceMs, reuseWindowMs } = this.ctx.timings
    if (!this.connectedOnce) {
      if (now - this.lastApiAt > idleMs) this.close('never connected')
      return
    }
    const quiet = now - this.lastInboundAt
    if (quiet > silenceMs + reuseWindowMs) this.close('client silent past the reuse window')
    else if (quiet > silenceMs && !this.silent) {
      this.silent = true
      this.log.info('client went silent; tracks inactive until it returns')
    }
  }

  /** End everything; idempotent. */
  close(reason: string): void {
    if (this.closed) return
    this.closed = true
    this.log.info('session closed', { reason })
    this.tracks.closeAll()
    this.dataChannels.closeAll()
    this.peer.close()
    this.ctx.sessionClosed(this)
  }

  get counts(): { publications: number; subscriptions: number } {
    return this.tracks.counts
  }

  /** Packets forwarded to this session's client so far. */
  get packetsOut(): number {
    return this.tracks.packetsOut
  }

  // -------------------------------------------------------------------------------------------------------------

  private onConnected(): void {
    this.touch()
    if (!this.connectedOnce) this.log.info('connected')
    this.connectedOnce = true
    this.tracks.transportConnected()
  }

  private touch(): void {
    const now = performance.now()
    // The client is heard again after an outage of its link: what we sent it meanwhile is lost beyond NACK, and its
    // decoders would wait 3 s (libwebrtc's wait for a decodable frame) before asking for a keyframe themselves.
    if (this.connectedOnce && now - this.lastInboundAt > INBOUND_GAP_MS) this.tracks.requestKeyframes()
    this.lastInboundAt = now
    if (this.silent) {
      this.silent = false
      this.log.info('client is back')
    }
  }
}

function simulcastPrefs(
  s: { preferredRid?: string; ridNotAvailable?: 'none' | 'asciibetical' } | undefined,
): SimulcastPrefs {
  return { preferredRid: s?.preferredRid || undefined, ridNotAvailable: s?.ridNotAvailable }
}
