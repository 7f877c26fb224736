import { AppError } from '../../../shared/errors/AppError'
import type { Logger } from '../../../shared/log/logger'
import type { JoinRoomRequest, RoomStatusEvent } from '../../../shared/room/ipc'
import type { HostAction, ParticipantActivity, RoomView, TrackDirectory } from '../../../shared/room/protocol'
import type { EventHub } from '../ipc/events'
import { OutboxStore } from './OutboxStore'
import { RoomClient, type RoomClientOptions } from './RoomClient'

/** Where a room lives and the token that opens it. */
export interface RoomEndpoint {
  readonly url: string
  readonly token: string
}

/**
 * Decide the endpoint of a room from the backend settings. Throws an AppError telling the user what to configure
 * when there is none.
 */
export type RoomEndpointResolver = (room: string) => RoomEndpoint

export interface RoomServiceDeps {
  readonly log: Logger
  readonly events: EventHub
  /** The outbox file (unsent chat and resume identities). */
  readonly outboxPath: string
  readonly resolve: RoomEndpointResolver
  /** Tuning for tests (short backoff, heartbeats). */
  readonly client?: Partial<Pick<RoomClientOptions, 'reconnect' | 'heartbeatMs' | 'silenceMs' | 'clock'>>
}

/** Build `ws(s)://host/rooms/<room>/socket` from an http(s) origin (the Worker URL or the embedded hub). */
export function roomSocketUrl(origin: string, room: string): string {
  const url = new URL(origin)
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:'
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/rooms/${encodeURIComponent(room)}/socket`
  url.search = ''
  url.hash = ''
  return url.toString()
}

/**
 * The main process's rooms: at most one joined room at a time, bridged to the renderer as `room:*` IPC events.
 * The renderer never sees the join token or the resume secret.
 */
export class RoomService {
  private client: RoomClient | null = null
  private room: string | null = null
  private readonly outbox: OutboxStore
  private detach: Array<() => void> = []

  constructor(private readonly deps: RoomServiceDeps) {
    this.outbox = new OutboxStore(deps.outboxPath, deps.log.child('outbox'))
  }

  state(): { status: RoomStatusEvent; view: RoomView | null; pending: string[] } {
    const c = this.client
    return {
      status: c
        ? this.statusEvent()
        : { room: null, state: 'idle', attempt: 0, reason: null, participantId: null },
      view: c?.view ?? null,
      pending: c ? [...c.pending] : [],
    }
  }

  async join(
    request: JoinRoomRequest,
  ): Promise<{ status: 'joined' | 'waiting'; participantId: string; view: RoomView | null }> {
    if (this.client) await this.leave()
    const endpoint =
      request.url !== undefined
        ? { url: request.url, token: request.token ?? '' }
        : this.deps.resolve(request.room)
    const client = new RoomClient({
      url: endpoint.url,
      token: endpoint.token,
      name: request.name,
      ...(request.ai ? { ai: true } : {}),
      outbox: this.outbox,
      // Keyed by room name, so the outbox survives a change of URL form (trailing slash, port).
      roomKey: `${new URL(endpoint.url).host}/${request.room}`,
      log: this.deps.log.child('client'),
      ...this.deps.client,
    })
    this.client = client
    this.room = request.room
    this.wire(client)
    this.deps.log.info('joining room', { room: request.room })
    let status: 'joined' | 'waiting'
    try {
      status = await client.start()
    } catch (error) {
      this.release()
      throw error
    }
    return { status, participantId: client.status.participantId ?? '', view: client.view }
  }

  async leave(): Promise<boolean> {
    const client = this.client
    if (!client) return false
    await client.leave()
    this.release()
    return true
  }

  sendChat(text: string, to?: string): string {
    return this.joined().sendChat(text, to)
  }

  hostAction(action: HostAction): Promise<void> {
    return this.joined().hostAction(action)
  }

  setHand(raised: boolean): Promise<void> {
    return this.joined().setHand(raised)
  }

  setActivity(activity: Partial<ParticipantActivity>): Promise<void> {
    return this.joined().setActivity(activity)
  }

  react(emoji: string): Promise<void> {
    return this.joined().react(emoji)
  }

  publishTracks(directory: TrackDirectory | null): Promise<void> {
    return this.joined().publishTracks(directory)
  }

  /** App shutdown: drop the socket but keep the outbox and identity, so the next launch resumes and resends. */
  dispose(): void {
    this.client?.dispose()
    this.release()
  }

  private joined(): RoomClient {
    if (!this.client) throw AppError.invalidRequest('Join a room first.')
    return this.client
  }

  private release(): void {
    for (const off of this.detach) off()
    this.detach = []
    this.client = null
    this.room = null
  }

  private statusEvent(): RoomStatusEvent {
    const s = this.client!.status
    return {
      room: this.room,
      state: s.state,
      attempt: s.attempt,
      reason: s.reason,
      participantId: s.participantId,
    }
  }

  private wire(client: RoomClient): void {
    const { events } = this.deps
    const room = this.room
    this.detach = [
      client.events.on('status', (s) =>
        events.emit('room:status', {
          room,
          state: s.state,
          attempt: s.attempt,
          reason: s.reason?.slice(0, 200) ?? null,
          participantId: s.participantId,
        }),
      ),
      client.events.on('view', (view) => events.emit('room:view', view)),
      client.events.on('delta', (delta) => events.emit('room:delta', delta)),
      client.events.on('dm', (message) => events.emit('room:dm', message)),
      client.events.on('chatStatus', (status) => events.emit('room:chatStatus', status)),
      client.events.on('reaction', (r) => events.emit('room:signal', { kind: 'reaction', ...r })),
      client.events.on('order', (o) => events.emit('room:signal', { kind: 'order', ...o })),
    ]
  }
}
