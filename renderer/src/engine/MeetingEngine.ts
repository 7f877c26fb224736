import {
  defaultReconnectPolicy,
  transition,
  type CallEffect,
  type CallEvent,
  type CallState,
  type ReconnectPolicy,
} from '../../../shared/call/callMachine'
import { SIMULCAST_ENCODINGS, type Rid } from '../../../shared/call/layout'
import { AppError, missingCaseError } from '../../../shared/errors/AppError'
import { TypedEmitter } from '../../../shared/events/emitter'
import { SerialQueue } from '../../../shared/util/serialQueue'
import { StatsSampler, type TrackStats } from './stats'
import type { CallsPort, RemoteTrackRef, SessionDescription, TracksReply } from './types'

export type PublishKind = 'mic' | 'camera' | 'screen'

export interface PublishRequest {
  readonly track: MediaStreamTrack
  readonly kind: PublishKind
  /** Three layers (q, h, f) for cameras; screens and audio send one. */
  readonly simulcast?: boolean
}

/** A local track as announced to the room: others pull it by `(sessionId, trackName)`. */
export interface Publication {
  readonly trackName: string
  readonly kind: PublishKind
  readonly mid: string
}

export type EngineEvents = {
  state: (state: CallState) => void
  /** A new Calls session (first join or a rebuild); the room must re-announce `publications` under it. */
  session: (sessionId: string, publications: readonly Publication[]) => void
  remoteTrack: (key: string, track: MediaStreamTrack) => void
  remoteTrackGone: (key: string) => void
  stats: (stats: readonly TrackStats[], byKey: ReadonlyMap<string, TrackStats>) => void
  error: (error: AppError) => void
}

interface Subscription {
  readonly ref: RemoteTrackRef
  rid: Rid | undefined
  mid: string | undefined
}

const SIMULCAST: RTCRtpEncodingParameters[] = SIMULCAST_ENCODINGS.map((e) => ({ ...e }))

export const trackKey = (ref: RemoteTrackRef): string => `${ref.sessionId}/${ref.trackName}`

/**
 * One RTCPeerConnection and one Calls session per meeting (ARCHITECTURE.md §4). Every negotiation goes through
 * one queue; the connection lifecycle is `callMachine`'s transition table, and this class only carries out its
 * effects: ICE restart on a blip, a fresh session that re-pushes and re-pulls when that fails.
 */
export class MeetingEngine {
  readonly events = new TypedEmitter<EngineEvents>((error) => this.report(AppError.from(error)))
  private state: CallState = { kind: 'idle' }
  private pc: RTCPeerConnection | undefined
  private sessionId: string | undefined
  private queue = new SerialQueue()
  private readonly publications = new Map<
    string,
    PublishRequest & { trackName: string; sender: RTCRtpSender; mid: string }
  >()
  private readonly subscriptions = new Map<string, Subscription>()
  private readonly policy: ReconnectPolicy
  private retryTimer: ReturnType<typeof setTimeout> | undefined
  private watchdog: ReturnType<typeof setTimeout> | undefined
  private statsTimer: ReturnType<typeof setInterval> | undefined
  private readonly sampler = new StatsSampler()
  private connectedWaiters: Array<() => void> = []

  constructor(
    private readonly port: CallsPort,
    private readonly options: {
      readonly policy?: ReconnectPolicy
      readonly createPeerConnection?: (config: RTCConfiguration) => RTCPeerConnection
      /** How long a repair may take before it counts as failed, ms. */
      readonly repairTimeoutMs?: number
      readonly statsIntervalMs?: number
    } = {},
  ) {
    this.policy = options.policy ?? defaultReconnectPolicy()
  }

  get callState(): CallState {
    return this.state
  }

  get currentSessionId(): string | undefined {
    return this.sessionId
  }

  /** Create the session. Resolves once signalling works; media flows as tracks are published and pulled. */
  async join(): Promise<void> {
    this.dispatch({ type: 'join' })
    await this.whenConnected()
  }

  /** Publish tracks in one Calls request (batched, G8). Returns their publications. */
  publish(requests: readonly PublishRequest[]): Promise<Publication[]> {
    return this.run(async () => this.push(requests))
  }

  unpublish(trackNames: readonly string[]): Promise<void> {
    return this.run(async () => {
      const pubs = trackNames.map((n) => this.publications.get(n)).filter((p) => p !== undefined)
      if (pubs.length === 0) return
      const pc = this.requirePc()
      for (const pub of pubs) {
        pc.getTransceivers()
          .find((t) => t.mid === pub.mid)
          ?.stop()
        this.publications.delete(pub.trackName)
      }
      await this.closeMids(pubs.map((p) => p.mid))
    })
  }

  /**
   * Swap the source of a publication without renegotiating: a device change, or `null` to stop sending (camera
   * off releases the camera; subscribers keep the transceiver and see no frames until a track comes back).
   */
  async replaceTrack(trackName: string, track: MediaStreamTrack | null): Promise<void> {
    const pub = this.publications.get(trackName)
    if (!pub) throw AppError.invalidRequest(`No published track named ${trackName}.`)
    await pub.sender.replaceTrack(track)
    if (track) this.publications.set(trackName, { ...pub, track })
  }

  /** Pull remote tracks in one request. Tracks arrive through the `remoteTrack` event. */
  subscribe(refs: readonly RemoteTrackRef[], rid?: Rid): Promise<void> {
    const fresh = refs.filter((r) => !this.subscriptions.has(trackKey(r)))
    for (const ref of fresh) this.subscriptions.set(trackKey(ref), { ref, rid, mid: undefined })
    if (fresh.length === 0) return Promise.resolve()
    const subs = fresh.map((r) => this.subscriptions.get(trackKey(r))!)
    return this.run(async () => {
      // A rebuild that ran while this waited has pulled these already, or dropped them as stale.
      const due = subs.filter((s) => this.subscriptions.get(trackKey(s.ref)) === s && s.mid === undefined)
      if (due.length > 0) await this.pull(due)
    })
  }

  unsubscribe(refs: readonly RemoteTrackRef[]): Promise<void> {
    const subs = refs.map((r) => this.subscriptions.get(trackKey(r))).filter((s) => s !== undefined)
    for (const sub of subs) {
      this.subscriptions.delete(trackKey(sub.ref))
      this.events.emit('remoteTrackGone', trackKey(sub.ref))
    }
    const mids = subs.map((s) => s.mid).filter((m) => m !== undefined)
    if (mids.length === 0) return Promise.resolve()
    const owner = this.pc
    return this.run(async () => {
      // A rebuild while this waited replaced the connection: these mids named transceivers of the old one, and
      // on the new one the same mids may carry other tracks (a publisher's new session). Nothing is left to close.
      if (this.pc !== owner) return
      const pc = this.requirePc()
      for (const mid of mids)
        pc.getTransceivers()
          .find((t) => t.mid === mid)
          ?.stop()
      await this.closeMids(mids)
    })
  }

  /** Choose simulcast layers for pulled tracks, batched into one `tracks/update`. */
  setLayers(layers: ReadonlyMap<string, Rid>): Promise<void> {
    const changed = [...layers]
      .map(([key, rid]) => ({ sub: this.subscriptions.get(key), rid }))
      .filter(
        (c): c is { sub: Subscription; rid: Rid } =>
          c.sub !== undefined && c.sub.mid !== undefined && c.sub.rid !== c.rid,
      )
    if (changed.length === 0) return Promise.resolve()
    // Set now, so a rebuild that runs before this task pulls with the new choice.
    for (const c of changed) c.sub.rid = c.rid
    return this.run(async () => {
      const live = changed.filter((c) => c.sub.mid !== undefined)
      if (live.length === 0) return
      const reply = await this.port.updateTracks({
        sessionId: this.requireSession(),
        tracks: live.map(({ sub, rid }) => ({
          location: 'remote' as const,
          mid: sub.mid!,
          sessionId: sub.ref.sessionId,
          trackName: sub.ref.trackName,
          simulcast: { preferredRid: rid },
        })),
      })
      this.reportTrackErrors(reply)
    })
  }

  leave(): void {
    this.dispatch({ type: 'leave' })
    this.dispatch({ type: 'left' })
  }

  // ---- effects -------------------------------------------------------------------------------------------

  private dispatch(event: CallEvent): void {
    const next = transition(this.state, event, this.policy)
    if (next.state !== this.state) {
      this.state = next.state
      this.events.emit('state', next.state)
    }
    this.apply(next.effect)
  }

  private apply(effect: CallEffect): void {
    switch (effect.type) {
      case 'none':
        return
      case 'startSession':
      case 'rebuildSession':
        this.clearWatchdog()
        void this.queue
          .push(() => this.startSession(effect.type === 'rebuildSession'))
          .catch((error: unknown) => {
            const appError = AppError.from(error)
            // While the media server is down every attempt fails the same way: say it once per outage.
            if (this.state.kind !== 'reconnecting' || this.state.attempt === 0) this.report(appError)
            this.dispatch({ type: isSessionGone(appError) ? 'sessionLost' : 'repairFailed' })
          })
        this.armWatchdog()
        return
      case 'iceRestart':
        void this.queue
          .push(() => this.iceRestart())
          .catch((error: unknown) =>
            this.dispatch({ type: isSessionGone(error) ? 'sessionLost' : 'repairFailed' }),
          )
        this.armWatchdog()
        return
      case 'scheduleRetry':
        clearTimeout(this.retryTimer)
        this.retryTimer = setTimeout(() => this.dispatch({ type: 'retryDue' }), effect.delayMs)
        return
      case 'flushBuffered': {
        this.clearWatchdog()
        const waiters = this.connectedWaiters
        this.connectedWaiters = []
        for (const resolve of waiters) resolve()
        return
      }
      case 'teardown':
        this.teardown()
        return
      default:
        throw missingCaseError(effect)
    }
  }

  private async startSession(rebuild: boolean): Promise<void> {
    this.closePc()
    const iceServers = await this.port.iceServers()
    const create = this.options.createPeerConnection ?? ((c: RTCConfiguration) => new RTCPeerConnection(c))
    const pc = create({ iceServers, bundlePolicy: 'max-bundle', rtcpMuxPolicy: 'require' })
    this.pc = pc
    pc.addEventListener('connectionstatechange', () => this.onConnectionState(pc))
    const { sessionId } = await this.port.newSession()
    this.sessionId = sessionId
    const republish = rebuild ? [...this.publications.values()] : []
    this.publications.clear()
    const publications = republish.length > 0 ? await this.push(republish) : []
    this.events.emit('session', sessionId, publications)
    const subs = [...this.subscriptions.values()]
    for (const sub of subs) sub.mid = undefined
    if (subs.length > 0) await this.pull(subs)
    this.startStats()
    // With nothing negotiated (no tracks, or every pull was stale) the transport is idle but usable.
    if (pc.getTransceivers().length === 0) this.dispatch({ type: 'transportUp' })
  }

  private async push(requests: readonly PublishRequest[]): Promise<Publication[]> {
    const pc = this.requirePc()
    const added = requests.map((request) => {
      if (request.kind === 'screen') request.track.contentHint = 'detail'
      const transceiver = pc.addTransceiver(request.track, {
        direction: 'sendonly',
        ...(request.simulcast && request.kind === 'camera' ? { sendEncodings: SIMULCAST } : {}),
      })
      return { request, transceiver, trackName: `${request.kind}-${crypto.randomUUID()}` }
    })
    const offer = await pc.createOffer()
    await pc.setLocalDescription(offer)
    const reply = await this.port.newTracks({
      sessionId: this.requireSession(),
      sessionDescription: describe(pc.localDescription),
      tracks: added.map((a) => ({
        location: 'local' as const,
        mid: a.transceiver.mid ?? '',
        trackName: a.trackName,
      })),
    })
    if (!reply.sessionDescription)
      throw new AppError({ code: 'internal', message: 'The media server sent no answer.', retryable: true })
    await pc.setRemoteDescription(reply.sessionDescription)
    const failed = new Set(this.reportTrackErrors(reply))
    const publications: Publication[] = []
    for (const a of added) {
      if (failed.has(a.trackName)) continue
      const mid = a.transceiver.mid ?? ''
      if (a.request.kind === 'screen') void preferResolution(a.transceiver.sender)
      this.publications.set(a.trackName, {
        ...a.request,
        trackName: a.trackName,
        sender: a.transceiver.sender,
        mid,
      })
      publications.push({ trackName: a.trackName, kind: a.request.kind, mid })
    }
    return publications
  }

  private async pull(subs: readonly Subscription[]): Promise<void> {
    const pc = this.requirePc()
    let reply: TracksReply
    try {
      reply = await this.port.newTracks({
        sessionId: this.requireSession(),
        tracks: subs.map((s) => ({
          location: 'remote' as const,
          sessionId: s.ref.sessionId,
          trackName: s.ref.trackName,
          ...(s.rid ? { simulcast: { preferredRid: s.rid } } : {}),
        })),
      })
    } catch (error) {
      // Every item failed (nothing to negotiate): the same as a reply listing each one as failed.
      if (!(error instanceof AppError) || error.code !== 'track_error') throw error
      reply = {
        tracks: subs.map((s) => ({
          trackName: s.ref.trackName,
          errorCode: 'not_found_track_error',
          errorDescription: error.message,
        })),
      }
    }
    const failed = new Set(this.dropFailedPulls(subs, reply))
    if (reply.requiresImmediateRenegotiation && reply.sessionDescription)
      await this.answer(pc, reply.sessionDescription)
    for (const result of reply.tracks ?? []) {
      if (!result.trackName || !result.mid || failed.has(result.trackName)) continue
      const sub = subs.find(
        (s) =>
          s.ref.trackName === result.trackName && (!result.sessionId || s.ref.sessionId === result.sessionId),
      )
      const transceiver = pc.getTransceivers().find((t) => t.mid === result.mid)
      if (!sub || !transceiver || !this.subscriptions.has(trackKey(sub.ref))) continue
      sub.mid = result.mid
      this.events.emit('remoteTrack', trackKey(sub.ref), transceiver.receiver.track)
    }
  }

  private async answer(pc: RTCPeerConnection, offer: SessionDescription): Promise<void> {
    await pc.setRemoteDescription(offer)
    await pc.setLocalDescription(await pc.createAnswer())
    await this.port.renegotiate({
      sessionId: this.requireSession(),
      sessionDescription: describe(pc.localDescription),
    })
  }

  private async closeMids(mids: readonly string[]): Promise<void> {
    const pc = this.requirePc()
    const anyLeft = pc
      .getTransceivers()
      .some(
        (t) => t.currentDirection !== 'stopped' && t.direction !== 'stopped' && !mids.includes(t.mid ?? ''),
      )
    // A max-bundle connection cannot offer with every m-line stopped: let the SFU re-offer instead.
    let offer: SessionDescription | undefined
    if (anyLeft) {
      await pc.setLocalDescription(await pc.createOffer())
      offer = describe(pc.localDescription)
    }
    const reply = await this.port.closeTracks({
      sessionId: this.requireSession(),
      tracks: mids.map((mid) => ({ mid })),
      ...(offer ? { sessionDescription: offer, force: false } : { force: true }),
    })
    if (offer && reply.sessionDescription?.type === 'answer')
      await pc.setRemoteDescription(reply.sessionDescription)
    else if (reply.requiresImmediateRenegotiation && reply.sessionDescription)
      await this.answer(pc, reply.sessionDescription)
  }

  private async iceRestart(): Promise<void> {
    const pc = this.requirePc()
    await pc.setLocalDescription(await pc.createOffer({ iceRestart: true }))
    const reply = await this.port.renegotiate({
      sessionId: this.requireSession(),
      sessionDescription: describe(pc.localDescription),
    })
    if (reply.sessionDescription?.type !== 'answer')
      throw new AppError({ code: 'internal', message: 'ICE restart was not answered.', retryable: true })
    await pc.setRemoteDescription(reply.sessionDescription)
  }

  private onConnectionState(pc: RTCPeerConnection): void {
    if (pc !== this.pc) return
    switch (pc.connectionState) {
      case 'connected':
        this.dispatch({ type: 'transportUp' })
        return
      case 'disconnected':
        // Often heals by itself within a second; only then count it as down.
        setTimeout(() => {
          if (pc === this.pc && pc.connectionState === 'disconnected')
            this.dispatch({ type: 'transportDown', fatal: false })
        }, 1000)
        return
      case 'failed':
        this.dispatch({ type: 'transportDown', fatal: false })
        return
      case 'closed':
        // Not by us (closePc forgets the connection first): the transport is gone for good.
        this.dispatch({ type: 'transportDown', fatal: true })
        return
      default:
        return
    }
  }

  // ---- helpers -------------------------------------------------------------------------------------------

  private run<T>(task: () => Promise<T>): Promise<T> {
    return this.whenConnected().then(() =>
      this.queue.push(async () => {
        const session = this.sessionId
        try {
          return await task()
        } catch (error) {
          // The media server forgot our session (it restarted): rebuild instead of waiting for ICE to notice.
          if (isSessionGone(error) && session === this.sessionId && this.state.kind === 'connected')
            this.dispatch({ type: 'sessionLost' })
          throw error
        }
      }),
    )
  }

  private whenConnected(): Promise<void> {
    if (this.state.kind === 'connected') return Promise.resolve()
    if (this.state.kind === 'closed' || this.state.kind === 'leaving')
      return Promise.reject(AppError.closed('The meeting'))
    return new Promise((resolve) => this.connectedWaiters.push(resolve))
  }

  private armWatchdog(): void {
    this.clearWatchdog()
    this.watchdog = setTimeout(() => {
      if (this.state.kind !== 'connected') this.dispatch({ type: 'repairFailed' })
    }, this.options.repairTimeoutMs ?? 6000)
  }

  private clearWatchdog(): void {
    clearTimeout(this.watchdog)
    this.watchdog = undefined
  }

  private startStats(): void {
    clearInterval(this.statsTimer)
    this.statsTimer = setInterval(() => {
      const pc = this.pc
      if (!pc || this.state.kind !== 'connected') return
      void pc.getStats().then((report) => {
        const stats = this.sampler.sample(report)
        const byMid = new Map(stats.filter((s) => s.direction === 'inbound').map((s) => [s.mid, s]))
        const byKey = new Map<string, TrackStats>()
        for (const [key, sub] of this.subscriptions) {
          const s = sub.mid ? byMid.get(sub.mid) : undefined
          if (s) byKey.set(key, s)
        }
        this.events.emit('stats', stats, byKey)
      })
    }, this.options.statsIntervalMs ?? 1000)
  }

  /**
   * Forget pulls the media server refused. A track that is not found belongs to a session that is gone (its
   * publisher rebuilt after a restart and will announce new tracks, which the room view then asks for); pulling it
   * again would fail forever, so it is dropped quietly. Other refusals are reported. Returns the failed names.
   */
  private dropFailedPulls(subs: readonly Subscription[], reply: TracksReply): string[] {
    const failed = (reply.tracks ?? []).filter((t) => t.errorCode)
    for (const t of failed) {
      const sub = subs.find(
        (s) => s.ref.trackName === t.trackName && (!t.sessionId || s.ref.sessionId === t.sessionId),
      )
      if (sub && this.subscriptions.get(trackKey(sub.ref)) === sub) {
        this.subscriptions.delete(trackKey(sub.ref))
        this.events.emit('remoteTrackGone', trackKey(sub.ref))
      }
      if (t.errorCode !== 'not_found_track_error') this.reportTrackErrors({ tracks: [t] })
    }
    return failed.map((t) => t.trackName ?? '')
  }

  private reportTrackErrors(reply: TracksReply): string[] {
    const failed = (reply.tracks ?? []).filter((t) => t.errorCode)
    for (const t of failed) {
      this.report(
        new AppError({
          code: 'internal',
          message: `The media server could not handle track ${t.trackName ?? '?'}: ${t.errorDescription ?? t.errorCode}.`,
          retryable: true,
        }),
      )
    }
    return failed.map((t) => t.trackName ?? '')
  }

  private report(error: AppError): void {
    if (this.events !== undefined) this.events.emit('error', error)
  }

  private requirePc(): RTCPeerConnection {
    if (!this.pc) throw AppError.closed('The connection')
    return this.pc
  }

  private requireSession(): string {
    if (!this.sessionId) throw AppError.closed('The media session')
    return this.sessionId
  }

  private closePc(): void {
    const pc = this.pc
    this.pc = undefined
    this.sessionId = undefined
    // Mids name transceivers of this connection only; the next one numbers its own from the start again.
    for (const [key, sub] of this.subscriptions) {
      sub.mid = undefined
      this.events.emit('remoteTrackGone', key)
    }
    pc?.close()
  }

  private teardown(): void {
    clearTimeout(this.retryTimer)
    clearInterval(this.statsTimer)
    this.clearWatchdog()
    this.queue.close()
    this.closePc()
    this.subscriptions.clear()
    this.publications.clear()
    this.queue = new SerialQueue()
    this.queue.close()
  }
}

/** The media server answered that our session no longer exists (HTTP 410 `session_error`). */
export function isSessionGone(error: unknown): boolean {
  return error instanceof AppError && error.code === 'session_gone'
}

function describe(desc: RTCSessionDescription | null): SessionDescription {
  if (!desc || (desc.type !== 'offer' && desc.type !== 'answer'))
    throw AppError.internal('no local description')
  return { type: desc.type, sdp: desc.sdp }
}

/** Screens are encoded for detail: keep resolution, drop frame rate under pressure. */
async function preferResolution(sender: RTCRtpSender): Promise<void> {
  const params = sender.getParameters()
  params.degradationPreference = 'maintain-resolution'
  await sender.setParameters(params).catch(() => undefined)
}
