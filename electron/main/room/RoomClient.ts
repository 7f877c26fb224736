import { randomUUID } from 'node:crypto'
import { isDeepStrictEqual } from 'node:util'
import { WebSocket } from 'ws'
import { AppError } from '../../../shared/errors/AppError'
import { TypedEmitter } from '../../../shared/events/emitter'
import type { Logger } from '../../../shared/log/logger'
import {
  parseServerFrame,
  type ParticipantActivity,
  PING_FRAME,
  PROTOCOL_VERSION,
  type ClientBody,
  type CloseReason,
  type HostAction,
  type RoomView,
  type ServerMessage,
  type TrackDirectory,
} from '../../../shared/room/protocol'
import { addDirectMessage, applyChange, versionVerdict } from '../../../shared/room/view'
import {
  backoffWithJitter,
  closedError,
  isFinalClose,
  nextConnectionState,
  type ConnectionEvent,
  type ConnectionState,
  type ReconnectPolicy,
} from './connection'
import type { RoomClientEvents, RoomStatus } from './events'
import { OutboxSender } from './OutboxSender'
import { PendingRequests } from './PendingRequests'
import type { OutboxStore } from './OutboxStore'

export interface RoomClock {
  now(): number
  after(ms: number, fn: () => void): () => void
}

const systemClock: RoomClock = {
  now: () => Date.now(),
  after: (ms, fn) => {
    const t = setTimeout(fn, ms)
    return () => clearTimeout(t)
  },
}

/**
 * Whether the room's record of our tracks (in the view a welcome carries) differs from what we last published:
 * a room that lost its state admits us afresh with none, and a directory sent while the connection was down (a
 * media rebuild during the outage) never arrived. Both must go out again, or others keep pulling dead tracks.
 */
export function needsRepublish(view: RoomView, you: string, published: TrackDirectory | null): boolean {
  if (published === null) return false
  const known = view.participants.find((p) => p.id === you)?.tracks ?? null
  return !isDeepStrictEqual(known, published)
}

export interface RoomClientOptions {
  /** `ws(s)://…/rooms/<room>/socket` */
  readonly url: string
  readonly token: string
  readonly name: string
  readonly ai?: boolean
  readonly outbox: OutboxStore
  /** Key of this room in the outbox file; the URL by default. */
  readonly roomKey?: string
  readonly log: Logger
  readonly clock?: RoomClock
  readonly reconnect?: ReconnectPolicy
  /** Ping interval, ms. The room evicts after 30 s of silence, so stay well below. */
  readonly heartbeatMs?: number
  /** No frame at all (not even a pong) for this long: the socket is dead even if TCP has not noticed. */
  readonly silenceMs?: number
  /** A saved resume identity older than this is not tried (the room's grace period is shorter anyway). */
  readonly resumeMaxAgeMs?: number
  /** Time limit for host actions and other acknowledged requests. */
  readonly requestTimeoutMs?: number
  /**
   * Chat frames per second this client sends at most (burst twice that). Below the room's per-connection limit, so
   * flushing a long outbox after a reconnect never trips the room's rate limit (which would close us as abusive).
   */
  readonly sendRatePerSecond?: number
}

/**
 * The main process's connection to one room. It reconnects with backoff and jitter, resumes the same participant
 * with the secret the room issued, keeps a heartbeat, tracks the room view by version (resyncing on a gap), and
 * keeps every chat message in a persisted outbox until the room acknowledges it, resending after any reconnect
 * or restart of the app. The room dedupes by message id, so resends are harmless.
 */
export class RoomClient {
  readonly events = new TypedEmitter<RoomClientEvents>((error, event) =>
    this.log.warn('room listener failed', { event: String(event), error: String(error) }),
  )
  private state: ConnectionState = 'idle'
  private ws: WebSocket | null = null
  private attempt = 0
  private closeReason: CloseReason | null = null
  private lastFrameAt = 0
  private you: string | null = null
  private roomView: RoomView | null = null
  private resyncing = false
  private published: TrackDirectory | null = null
  private readonly cancels = new Set<() => void>()
  private readonly requests: PendingRequests
  private readonly joinWaiters: Array<{
    resolve: (s: 'joined' | 'waiting') => void
    reject: (e: AppError) => void
  }> = []
  private readonly chat: OutboxSender
  private readonly clock: RoomClock
  private readonly policy: ReconnectPolicy
  private readonly key: string
  private readonly log: Logger

  constructor(private readonly options: RoomClientOptions) {
    this.clock = options.clock ?? systemClock
    this.policy = options.reconnect ?? backoffWithJitter()
    this.key = options.roomKey ?? options.url
    this.log = options.log
    this.requests = new PendingRequests(
      (ms, fn) => this.clock.after(ms, fn),
      options.requestTimeoutMs ?? 10_000,
    )
    this.chat = new OutboxSender({
      outbox: options.outbox,
      key: this.key,
      now: () => this.clock.now(),
      after: (ms, fn) => this.clock.after(ms, fn),
      ratePerSecond: options.sendRatePerSecond ?? 20,
      canSend: () => this.state === 'joined',
      send: (e) => this.send({ type: 'chat', id: e.id, text: e.text, ...(e.to ? { to: e.to } : {}) }),
      status: (status) => this.events.emit('chatStatus', status),
    })
  }

  get status(): RoomStatus {
    return {
      state: this.state,
      attempt: this.attempt,
      reason: this.closeReason,
      participantId: this.you,
    }
  }

  get view(): RoomView | null {
    return this.roomView
  }

  /** Ids of chat messages sent but not yet acknowledged (oldest first). */
  get pending(): readonly string[] {
    return this.chat.pending.map((e) => e.id)
  }

  /** Connect and join; resolves once admitted (or placed in the waiting room), rejects when refused for good. */
  start(): Promise<'joined' | 'waiting'> {
    const waiter = new Promise<'joined' | 'waiting'>((resolve, reject) =>
      this.joinWaiters.push({ resolve, reject }),
    )
    if (this.move('start')) this.connect()
    return waiter
  }

  /** Queue a chat message (persisted before this returns) and send it when connected. Returns its id. */
  sendChat(text: string, to?: string): string {
    if (this.state === 'closed') throw AppError.closed('The room connection')
    return this.chat.enqueue(text, to)
  }

  hostAction(action: HostAction): Promise<void> {
    return this.request((id) => ({ type: 'host', id, action }))
  }

  setHand(raised: boolean): Promise<void> {
    return this.request((id) => ({ type: 'hand', id, raised }))
  }

  setActivity(activity: Partial<ParticipantActivity>): Promise<void> {
    return this.request((id) => ({ type: 'activity', id, activity }))
  }

  react(emoji: string): Promise<void> {
    return this.request((id) => ({ type: 'reaction', id, emoji }))
  }

  /** Publish our Calls session and tracks; remembered and re-sent if the room ever forgets us. */
  publishTracks(directory: TrackDirectory | null): Promise<void> {
    this.published = directory
    return this.request((id) => ({ type: 'tracks', id, directory }))
  }

  /**
   * Leave for good: wait briefly for unsent chat to be acknowledged, then say goodbye. Messages still unsent after
   * `flushMs` are reported as failed and dropped.
   */
  async leave(flushMs = 2000): Promise<void> {
    if (this.state === 'closed') return
    if (this.state === 'joined' && this.pending.length > 0) {
      await new Promise<void>((resolve) => {
        const cancel = this.clock.after(flushMs, done)
        const off = this.events.on('chatStatus', () => this.pending.length === 0 && done())
        function done() {
          cancel()
          off()
          resolve()
        }
      })
    }
    if (this.state === 'joined' || this.state === 'waiting') this.send({ type: 'leave' })
    this.chat.abandon('Left the room.')
    this.finish('left')
    this.ws?.close(1000)
  }

  /** Stop without telling the room or touching the outbox, as a crash would. For tests and app shutdown. */
  dispose(): void {
    this.stopTimers()
    const ws = this.ws
    this.ws = null
    this.state = 'closed'
    ws?.terminate()
  }

  private move(event: ConnectionEvent): boolean {
    const next = nextConnectionState(this.state, event)
    if (next === null) return false
    this.state = next
    this.events.emit('status', this.status)
    return true
  }

  private connect(): void {
    this.closeReason = null
    const ws = new WebSocket(this.options.url, { handshakeTimeout: 10_000, maxPayload: 8 * 1024 * 1024 })
    this.ws = ws
    // Events from a socket we have already given up on are ignored.
    const current = () => this.ws === ws
    ws.on('open', () => {
      if (!current() || !this.move('open')) return
      this.lastFrameAt = this.clock.now()
      const identity = this.options.outbox.identity(this.key)
      const fresh =
        identity && this.clock.now() - identity.savedAt < (this.options.resumeMaxAgeMs ?? 10 * 60_000)
      this.send({
        type: 'join',
        id: randomUUID(),
        token: this.options.token,
        name: this.options.name,
        ...(this.options.ai ? { ai: true } : {}),
        ...(fresh ? { resume: { participant: identity.participant, secret: identity.secret } } : {}),
      })
      this.startHeartbeat(ws)
    })
    ws.on('message', (data) => current() && this.onFrame((data as Buffer).toString('utf8')))
    ws.on('close', (code) => current() && this.onGone(code))
    ws.on('error', (error) => this.log.debug('room socket error', { error: String(error) }))
  }

  private startHeartbeat(ws: WebSocket): void {
    const every = this.options.heartbeatMs ?? 10_000
    const silence = this.options.silenceMs ?? 25_000
    const beat = () => {
      if (this.ws !== ws) return
      if (this.clock.now() - this.lastFrameAt > silence) {
        this.log.info('room connection went silent; reconnecting')
        ws.terminate()
        return
      }
      if (ws.readyState === ws.OPEN) ws.send(PING_FRAME)
      this.timer(every, beat)
    }
    this.timer(every, beat)
  }

  private timer(ms: number, fn: () => void): void {
    const cancel = this.clock.after(ms, () => {
      this.cancels.delete(cancel)
      fn()
    })
    this.cancels.add(cancel)
  }

  private stopTimers(): void {
    for (const cancel of this.cancels) cancel()
    this.cancels.clear()
    this.chat.stop()
  }

  private send(body: ClientBody): void {
    const ws = this.ws
    if (ws && ws.readyState === ws.OPEN) ws.send(JSON.stringify({ v: PROTOCOL_VERSION, ...body }))
  }

  private request(build: (id: string) => ClientBody): Promise<void> {
    if (this.state !== 'joined') {
      return Promise.reject(
        new AppError({
          code: 'network',
          message: 'Not connected to the room right now. Try again.',
          retryable: true,
        }),
      )
    }
    const id = randomUUID()
    this.chat.spend()
    return this.requests.track(id, () => this.send(build(id)))
  }

  private onFrame(text: string): void {
    this.lastFrameAt = this.clock.now()
    const parsed = parseServerFrame(text)
    if (!parsed.ok) {
      this.log.warn('room sent a frame outside the protocol; dropped', { error: parsed.error })
      return
    }
    if ('pong' in parsed) return
    this.onMessage(parsed.message)
  }

  private onMessage(m: ServerMessage): void {
    const { outbox } = this.options
    if (m.type !== 'delta' && m.type !== 'welcome' && m.type !== 'snapshot' && this.roomView) {
      if (versionVerdict(this.roomView.version, m.version, false) === 'resync') this.resync()
    }
    switch (m.type) {
      case 'welcome': {
        outbox.setIdentity(this.key, { participant: m.you, secret: m.secret, savedAt: this.clock.now() })
        this.you = m.you
        this.roomView = m.view
        this.resyncing = false
        this.attempt = 0
        this.move('welcome')
        this.events.emit('view', m.view)
        for (const w of this.joinWaiters.splice(0)) w.resolve('joined')
        // Everything unacknowledged goes out again, oldest first; the room dedupes what it already has.
        this.chat.reconnected()
        if (needsRepublish(m.view, m.you, this.published))
          this.send({ type: 'tracks', id: randomUUID(), directory: this.published })
        return
      }
      case 'waiting':
        outbox.setIdentity(this.key, { participant: m.you, secret: m.secret, savedAt: this.clock.now() })
        this.you = m.you
        this.move('waiting')
        for (const w of this.joinWaiters.splice(0)) w.resolve('waiting')
        return
      case 'delta': {
        if (!this.roomView) return
        const verdict = versionVerdict(this.roomView.version, m.version, true)
        if (verdict === 'apply') {
          this.roomView = applyChange(this.roomView, m.change, m.version)
          this.events.emit('delta', { version: m.version, change: m.change })
        } else if (verdict === 'resync') this.resync()
        return
      }
      case 'snapshot':
        this.roomView = m.view
        this.resyncing = false
        this.events.emit('view', m.view)
        return
      case 'ack': {
        this.chat.acked(m.id, m.seq)
        this.requests.acked(m.id)
        return
      }
      case 'dm':
        if (this.roomView) this.roomView = addDirectMessage(this.roomView, m.message)
        this.events.emit('dm', m.message)
        return
      case 'reaction':
        this.events.emit('reaction', { from: m.from, emoji: m.emoji, at: m.at })
        return
      case 'order':
        this.events.emit('order', { order: m.order, by: m.by })
        return
      case 'error':
        this.onError(m)
        return
      case 'closing':
        this.closeReason = m.reason
        return
    }
  }

  private onError(m: Extract<ServerMessage, { type: 'error' }>): void {
    if (m.id === undefined) {
      this.log.warn('room reported an error', { code: m.code, message: m.message })
      return
    }
    if (this.requests.refused(m.id, m.code, m.message)) return
    this.chat.refused(m.id, m.code, m.message)
  }

  private resync(): void {
    if (this.resyncing) return
    this.resyncing = true
    this.send({ type: 'resync' })
  }

  private onGone(code: number): void {
    this.ws = null
    this.stopTimers()
    this.requests.failAll()
    if (this.state === 'closed') return
    if (isFinalClose(this.closeReason, code)) {
      this.finish(this.closeReason ?? `code ${code}`)
      return
    }
    if (!this.move('drop')) return
    this.attempt++
    const delay = this.policy(this.attempt)
    if (delay === null) {
      this.finish('gave up')
      return
    }
    this.log.info('room connection lost; reconnecting', { code, attempt: this.attempt, delayMs: delay })
    this.timer(delay, () => this.move('retry') && this.connect())
  }

  private finish(reason: string): void {
    this.stopTimers()
    // Our place in the room is gone for good (removed, ended, refused): a later start must join afresh.
    if (reason !== 'left' && reason !== 'gave up') this.options.outbox.setIdentity(this.key, null)
    this.state = 'closed'
    this.events.emit('status', { ...this.status, reason })
    const error = closedError(reason)
    for (const w of this.joinWaiters.splice(0)) w.reject(error)
  }
}
