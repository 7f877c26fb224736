import {
  PROTOCOL_VERSION,
  type ChatMessage,
  type CloseReason,
  type DirectMessage,
  type LeaveReason,
} from './protocol'
import type { RoomChange, RoomErrorCode, ServerBody, ServerMessage } from './protocol'
import {
  initialRoomState,
  memberConnections,
  type ConnId,
  type ConnectionRecord,
  type Effect,
  type ParticipantRecord,
  type RoomState,
  type Step,
} from './state'

/**
 * One reducer step under construction: the state is replaced (never mutated) as the step goes, effects accumulate
 * in order. Kept apart from the event handlers so each handler reads as the rule it implements.
 */
export class Tx {
  private effects: Effect[] = []
  private persistMeta = false
  private persistChat: ChatMessage | undefined
  private persistDm: DirectMessage | undefined

  constructor(public s: RoomState) {}

  set(patch: Partial<RoomState>): void {
    this.s = { ...this.s, ...patch }
  }

  setConnection(record: ConnectionRecord): void {
    this.set({ connections: { ...this.s.connections, [record.id]: record } })
  }

  dropConnection(conn: ConnId): void {
    if (!(conn in this.s.connections)) return
    const { [conn]: _gone, ...rest } = this.s.connections
    this.set({ connections: rest })
  }

  setParticipant(record: ParticipantRecord): void {
    this.set({ participants: { ...this.s.participants, [record.info.id]: record } })
    this.persistMeta = true
  }

  markMeta(): void {
    this.persistMeta = true
  }

  stored(chat: ChatMessage | undefined, dm: DirectMessage | undefined): void {
    if (chat) this.persistChat = chat
    if (dm) this.persistDm = dm
  }

  envelope(body: ServerBody): ServerMessage {
    return { ...body, v: PROTOCOL_VERSION, version: this.s.version } as ServerMessage
  }

  send(conn: ConnId, body: ServerBody): void {
    this.effects.push({ kind: 'send', conn, message: this.envelope(body) })
  }

  broadcast(to: readonly ConnId[], body: ServerBody): void {
    if (to.length > 0) this.effects.push({ kind: 'broadcast', to, message: this.envelope(body) })
  }

  /** Apply one change to the shared state: bump the version and tell every member (but `except`). */
  change(change: RoomChange, except?: ConnId): void {
    this.set({ version: this.s.version + 1 })
    this.markMeta()
    const to = memberConnections(this.s).filter((c) => c !== except)
    // Emitted even with nobody to tell, so every version step is visible in the effects (tests rely on it).
    this.effects.push({ kind: 'broadcast', to, message: this.envelope({ type: 'delta', change }) })
  }

  /** Tell the connection why, then close it. The caller updates the state. */
  closeConn(conn: ConnId, reason: CloseReason): void {
    this.send(conn, { type: 'closing', reason })
    this.effects.push({ kind: 'close', conn, reason })
  }

  error(conn: ConnId, code: RoomErrorCode, message: string, id?: string): void {
    this.send(conn, { type: 'error', code, message, ...(id !== undefined ? { id } : {}) })
  }

  /** Remove an admitted participant (their connection, if any, is the caller's business). */
  removeParticipant(pid: string, reason: LeaveReason, now: number): void {
    if (!(pid in this.s.participants)) return
    const { [pid]: _gone, ...rest } = this.s.participants
    this.set({ participants: rest })
    this.change({ kind: 'left', id: pid, reason })
    this.noteIfEmpty(now)
  }

  removeWaiting(pid: string, now: number): void {
    if (!(pid in this.s.waiting)) return
    const { [pid]: _gone, ...rest } = this.s.waiting
    this.set({ waiting: rest })
    this.change({ kind: 'waiting', waiting: Object.values(rest).map((w) => w.info) })
    this.noteIfEmpty(now)
  }

  noteIfEmpty(now: number): void {
    const empty = Object.keys(this.s.participants).length === 0 && Object.keys(this.s.waiting).length === 0
    if (empty && this.s.emptySince === null) this.set({ emptySince: now })
    if (!empty && this.s.emptySince !== null) this.set({ emptySince: null })
  }

  /** Forget everything about the room except its name, config and counters (which stay monotonic). */
  wipe(): void {
    const fresh = initialRoomState(this.s.room, this.s.config)
    this.s = {
      ...fresh,
      version: this.s.version + 1,
      chatSeq: this.s.chatSeq,
      dmSeq: this.s.dmSeq,
      connections: this.s.connections,
      alarmAt: this.s.alarmAt,
    }
    this.effects.push({ kind: 'deleteData' })
    this.persistMeta = false
    this.persistChat = undefined
    this.persistDm = undefined
  }

  /** Close the step: persistence first (adapters must store before anything is sent), then the wake-up time. */
  finish(original: RoomState): Step {
    const next = nextDeadline(this.s)
    if (next !== null && (this.s.alarmAt === null || next < this.s.alarmAt)) {
      this.set({ alarmAt: next })
      this.effects.push({ kind: 'schedule', at: next })
    }
    if (this.persistMeta || this.persistChat || this.persistDm) {
      this.effects.unshift({
        kind: 'persist',
        meta: this.persistMeta,
        ...(this.persistChat ? { chat: this.persistChat } : {}),
        ...(this.persistDm ? { dm: this.persistDm } : {}),
      })
    }
    return { state: this.s === original ? original : this.s, effects: this.effects }
  }
}

/** The earliest time something in the room expires, or null if nothing will. */
export function nextDeadline(s: RoomState): number | null {
  const { config } = s
  let next = Number.POSITIVE_INFINITY
  for (const c of Object.values(s.connections)) {
    const limit =
      c.participant === null ? c.openedAt + config.joinTimeoutMs : c.lastSeen + config.heartbeatTimeoutMs
    if (limit < next) next = limit
  }
  for (const p of Object.values(s.participants)) {
    if (p.conn === null && p.graceUntil !== null && p.graceUntil < next) next = p.graceUntil
  }
  if (s.emptySince !== null) next = Math.min(next, s.emptySince + config.retentionMs)
  return Number.isFinite(next) ? next : null
}
