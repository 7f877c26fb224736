import { missingCaseError } from '../errors/AppError'
import type { Logger } from '../log/logger'
import { base64url, verifyJoinToken } from './token'
import { reduce } from './core'
import {
  batchFor,
  exportRoom,
  fullBatch,
  importRoom,
  restoreState,
  type LoadedRoom,
  type RoomStore,
} from './persist'
import type { RoomExport } from './persist'
import { CLOSE_CODES, parseClientFrame, PING_FRAME, PONG_FRAME, PROTOCOL_VERSION } from './protocol'
import {
  initialRoomState,
  type ConnId,
  type JoinGrant,
  type LiveConnection,
  type RoomConfig,
  type RoomEvent,
  type RoomState,
} from './state'

/** How the adapter reaches sockets. Both calls must tolerate a connection that is already gone. */
export interface RoomTransport {
  send(conn: ConnId, text: string): void
  close(conn: ConnId, code: number, reason: string): void
}

/** Checks a join token; null when the room accepts joins without one. */
export type JoinVerifier = (
  token: string,
) => Promise<{ ok: true; grant: JoinGrant } | { ok: false; why: string }>

export interface RoomEngineOptions {
  readonly room: string
  readonly config: RoomConfig
  readonly store: RoomStore
  readonly transport: RoomTransport
  /** Wake the room (call `tick`) at this time, ms since epoch; null: no wake-up needed. */
  readonly schedule: (at: number | null) => void
  readonly now: () => number
  readonly verify: JoinVerifier | null
  readonly log: Logger
}

export interface RoomInfo {
  readonly room: string
  readonly version: number
  readonly participants: number
  readonly waiting: number
  readonly locked: boolean
  readonly waitingRoom: boolean
  readonly recording: boolean
  readonly chatSeq: number
}

/** A verifier for one room's join tokens, signed with `secret`. */
export function joinVerifier(secret: string, room: string, now: () => number): JoinVerifier {
  return async (token) => {
    const check = await verifyJoinToken(secret, token, { now: now(), room })
    if (!check.ok) return { ok: false, why: check.reason }
    const { name, role, ai } = check.claims
    return { ok: true, grant: { name, role, ...(ai !== undefined ? { ai } : {}) } }
  }
}

/** At most this many frames wait behind a join whose token is being checked. */
const MAX_PENDING_FRAMES = 64

export function randomId(bytes = 16): string {
  return base64url(crypto.getRandomValues(new Uint8Array(bytes)))
}

/**
 * The shell around the pure core that both adapters share: frame parsing, token checks, effect execution. The hub
 * and the Durable Object only translate their socket, timer and storage APIs into these calls.
 */
export class RoomEngine {
  private state: RoomState
  /** Frames that arrived while the connection's join token was being verified (WebCrypto is async). */
  private readonly pending = new Map<ConnId, string[]>()

  constructor(private readonly options: RoomEngineOptions) {
    this.state = initialRoomState(options.room, options.config)
  }

  /** Load persisted state; `live` lists the sockets still open (a woken Durable Object), empty after a restart. */
  restore(loaded: LoadedRoom, live: readonly LiveConnection[]): void {
    const { state, dropped } = restoreState(this.options.room, this.options.config, loaded)
    if (dropped > 0) this.options.log.warn('dropped invalid stored room entries', { dropped })
    this.state = state
    this.dispatch({ type: 'restore', now: this.options.now(), live })
  }

  get current(): RoomState {
    return this.state
  }

  open(conn: ConnId): void {
    this.dispatch({ type: 'open', conn, now: this.options.now() })
  }

  closed(conn: ConnId): void {
    this.pending.delete(conn)
    this.dispatch({ type: 'closed', conn, now: this.options.now() })
  }

  tick(seen?: Readonly<Record<ConnId, number>>): void {
    this.dispatch({ type: 'tick', now: this.options.now(), ...(seen ? { seen } : {}) })
  }

  /** One frame from a socket. Never throws; bad frames become `error` frames (and strikes). */
  frame(conn: ConnId, data: string | ArrayBuffer | Uint8Array): void {
    const now = this.options.now()
    if (data === PING_FRAME) {
      // The DO answers pings itself (auto-response); the hub lands here.
      this.options.transport.send(conn, PONG_FRAME)
      this.dispatch({ type: 'message', conn, now, message: { v: PROTOCOL_VERSION, type: 'ping' } })
      return
    }
    const queue = this.pending.get(conn)
    if (queue) {
      if (typeof data === 'string' && queue.length < MAX_PENDING_FRAMES) queue.push(data)
      else
        this.dispatch({ type: 'rejected', conn, now, code: 'rate_limited', message: 'Wait for the welcome.' })
      return
    }
    const parsed = parseClientFrame(data)
    if (!parsed.ok) {
      this.dispatch({
        type: 'rejected',
        conn,
        now,
        code: parsed.code,
        message: parsed.message,
        ...(parsed.id ? { id: parsed.id } : {}),
      })
      return
    }
    const message = parsed.message
    if (message.type !== 'join') {
      this.dispatch({ type: 'message', conn, now, message })
      return
    }
    const fresh = { id: randomId(9), secret: randomId(24) }
    const verify = this.options.verify
    if (!verify) {
      this.dispatch({ type: 'join', conn, now, message, grant: null, fresh })
      return
    }
    this.pending.set(conn, [])
    void verify(message.token)
      .catch((error: unknown) => ({ ok: false as const, why: String(error) }))
      .then((result) => {
        const buffered = this.pending.get(conn)
        this.pending.delete(conn)
        if (!buffered) return // closed meanwhile
        const at = this.options.now()
        if (!result.ok) {
          this.options.log.info('join refused', { room: this.options.room, why: result.why })
          this.dispatch({
            type: 'rejected',
            conn,
            now: at,
            code: 'unauthorized',
            message:
              'The join token is not valid for this room (expired, or for another room). Ask for a new link.',
            id: message.id,
            close: 'unauthorized',
          })
          return
        }
        this.dispatch({ type: 'join', conn, now: at, message, grant: result.grant, fresh })
        for (const frame of buffered) this.frame(conn, frame)
      })
  }

  info(): RoomInfo {
    const s = this.state
    return {
      room: s.room,
      version: s.version,
      participants: Object.keys(s.participants).length,
      waiting: Object.keys(s.waiting).length,
      locked: s.flags.locked,
      waitingRoom: s.flags.waitingRoom,
      recording: s.flags.recording,
      chatSeq: s.chatSeq,
    }
  }

  exportData(): RoomExport {
    return exportRoom(this.state, this.options.now())
  }

  /** Replace the room's chat and settings with an export; only when nobody is in. */
  importData(data: unknown): { ok: true } | { ok: false; reason: 'invalid' | 'occupied'; message: string } {
    const result = importRoom(this.state, data, this.options.now())
    if (!result.ok) return result
    this.state = result.state
    this.options.store.write(fullBatch(this.state))
    this.dispatch({ type: 'tick', now: this.options.now() }) // schedules retention for the imported data
    return { ok: true }
  }

  private dispatch(event: RoomEvent): void {
    const step = reduce(this.state, event)
    this.state = step.state
    const { transport, store, log } = this.options
    for (const effect of step.effects) {
      switch (effect.kind) {
        case 'persist':
          try {
            store.write(batchFor(this.state, effect))
          } catch (error) {
            // Memory stays the source of truth for this run; the next successful write carries the counters.
            log.error('room storage write failed', { room: this.state.room, error: String(error) })
          }
          break
        case 'send':
          transport.send(effect.conn, JSON.stringify(effect.message))
          break
        case 'broadcast': {
          // Serialise once for all recipients: fan-out cost is one stringify plus N socket writes.
          const text = JSON.stringify(effect.message)
          for (const conn of effect.to) transport.send(conn, text)
          break
        }
        case 'close':
          this.pending.delete(effect.conn)
          transport.close(effect.conn, CLOSE_CODES[effect.reason], effect.reason)
          break
        case 'schedule':
          this.options.schedule(effect.at)
          break
        case 'deleteData':
          try {
            store.deleteAll()
          } catch (error) {
            log.error('room storage delete failed', { room: this.state.room, error: String(error) })
          }
          break
        default:
          throw missingCaseError(effect)
      }
    }
  }
}
