import { reduce } from '../core'
import { MemoryRoomStore } from '../memoryStore'
import { batchFor, restoreState } from '../persist'
import { PROTOCOL_VERSION, type ClientMessage, type ClientMessageOf, type ServerMessage } from '../protocol'
import {
  DEFAULT_ROOM_CONFIG,
  initialRoomState,
  type ConnId,
  type Effect,
  type JoinGrant,
  type RoomConfig,
  type RoomEvent,
  type RoomState,
  type Step,
} from '../state'

type Body<T extends ClientMessage['type']> = Omit<ClientMessageOf<T>, 'v' | 'type'>

/**
 * Drives the pure core by hand for tests: keeps the state, a clock, the persisted store and every frame each
 * connection was sent. No sockets, no timers.
 */
export class RoomSim {
  state: RoomState
  now = 1_000_000
  readonly store = new MemoryRoomStore()
  readonly inbox = new Map<ConnId, ServerMessage[]>()
  readonly closed = new Map<ConnId, string>()
  lastStep: Step | undefined
  private ids = 0

  constructor(config: Partial<RoomConfig> = {}, room = 'room-1') {
    this.state = initialRoomState(room, { ...DEFAULT_ROOM_CONFIG, ...config })
  }

  apply(event: RoomEvent): Step {
    const step = reduce(this.state, event)
    this.state = step.state
    this.lastStep = step
    for (const e of step.effects) this.carry(e)
    return step
  }

  private carry(e: Effect): void {
    const push = (conn: ConnId, m: ServerMessage) => {
      const list = this.inbox.get(conn) ?? []
      list.push(m)
      this.inbox.set(conn, list)
    }
    switch (e.kind) {
      case 'send':
        push(e.conn, e.message)
        break
      case 'broadcast':
        for (const c of e.to) push(c, e.message)
        break
      case 'close':
        this.closed.set(e.conn, e.reason)
        break
      case 'persist':
        this.store.write(batchFor(this.state, e))
        break
      case 'deleteData':
        this.store.deleteAll()
        break
      case 'schedule':
        break
    }
  }

  open(conn: ConnId): Step {
    return this.apply({ type: 'open', conn, now: this.now })
  }

  join(conn: ConnId, name: string, extra: Partial<Body<'join'>> = {}, grant: JoinGrant | null = null): Step {
    this.ids++
    return this.apply({
      type: 'join',
      conn,
      now: this.now,
      message: { v: PROTOCOL_VERSION, type: 'join', id: `j${this.ids}`, token: '', name, ...extra },
      grant,
      fresh: { id: `p${this.ids}`, secret: `secret-${this.ids}-0123456789` },
    })
  }

  /** Open and join in one go; returns the participant id. */
  enter(conn: ConnId, name: string, grant: JoinGrant | null = null): string {
    this.open(conn)
    this.join(conn, name, {}, grant)
    const welcome = this.last(conn, 'welcome') ?? this.last(conn, 'waiting')
    if (!welcome) throw new Error(`${conn} was not let in`)
    return welcome.you
  }

  send<T extends Exclude<ClientMessage['type'], 'join'>>(conn: ConnId, type: T, body: Body<T>): Step {
    const message = { v: PROTOCOL_VERSION, type, ...body } as Exclude<ClientMessage, ClientMessageOf<'join'>>
    return this.apply({ type: 'message', conn, now: this.now, message })
  }

  close(conn: ConnId): Step {
    return this.apply({ type: 'closed', conn, now: this.now })
  }

  tick(advanceMs: number): Step {
    this.now += advanceMs
    return this.apply({ type: 'tick', now: this.now })
  }

  /** A process restart: everything in memory is lost, the store survives, no socket is open any more. */
  restart(): Step {
    const { state } = restoreState(this.state.room, this.state.config, this.store.load())
    this.state = state
    return this.apply({ type: 'restore', now: this.now, live: [] })
  }

  frames(conn: ConnId): ServerMessage[] {
    return this.inbox.get(conn) ?? []
  }

  last<T extends ServerMessage['type']>(
    conn: ConnId,
    type: T,
  ): Extract<ServerMessage, { type: T }> | undefined {
    const list = this.frames(conn)
    for (let i = list.length - 1; i >= 0; i--) {
      if (list[i]!.type === type) return list[i] as Extract<ServerMessage, { type: T }>
    }
    return undefined
  }
}
