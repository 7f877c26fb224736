import type {
  ChatMessage,
  ClientMessage,
  ClientMessageOf,
  CloseReason,
  DirectMessage,
  Participant,
  ParticipantId,
  Role,
  RoomErrorCode,
  RoomFlags,
  RoomView,
  ServerMessage,
  WaitingEntry,
} from './protocol'

/** Deeply readonly, for state that reducers replace but never mutate (STYLE.md rule 14). */
export type DeepReadonly<T> = T extends (infer U)[]
  ? readonly DeepReadonly<U>[]
  : T extends object
    ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
    : T

/** A connection id the adapter makes up (one per WebSocket). */
export type ConnId = string

/** Timings and limits of one room. All durations in milliseconds. */
export interface RoomConfig {
  /** A connected participant silent for this long (no frame, no ping) is evicted. */
  readonly heartbeatTimeoutMs: number
  /** A participant whose connection dropped keeps its place this long, waiting for a `resume`. */
  readonly graceMs: number
  /** A connection that has not sent `join` after this long is closed. */
  readonly joinTimeoutMs: number
  /** The room's data (chat, metadata) is deleted this long after the last person left. */
  readonly retentionMs: number
  /** Messages per second per connection, with a burst of `rateBurst`. Pings do not count. */
  readonly ratePerSecond: number
  readonly rateBurst: number
  /** Strikes (bad frames, rate-limited messages) a connection may collect before it is closed as abusive. */
  readonly abuseBurst: number
  /** Strikes forgiven per second. */
  readonly abuseRefillPerSecond: number
  readonly historySize: number
  readonly maxParticipants: number
}

export const DEFAULT_ROOM_CONFIG: RoomConfig = {
  heartbeatTimeoutMs: 30_000,
  graceMs: 30_000,
  joinTimeoutMs: 15_000,
  retentionMs: 24 * 60 * 60 * 1000,
  ratePerSecond: 30,
  rateBurst: 60,
  abuseBurst: 20,
  abuseRefillPerSecond: 1,
  historySize: 500,
  maxParticipants: 200,
}

export interface Bucket {
  readonly tokens: number
  readonly at: number
}

export interface ConnectionRecord {
  readonly id: ConnId
  /** The participant or waiting entry this connection speaks for; null until `join`. */
  readonly participant: ParticipantId | null
  readonly openedAt: number
  /** Last frame (or ping) seen on this connection. */
  readonly lastSeen: number
  readonly rate: Bucket
  readonly abuse: Bucket
}

export interface ParticipantRecord {
  /** What everyone sees; kept as one object so views share it. */
  readonly info: Participant
  readonly secret: string
  readonly conn: ConnId | null
  /** Set while disconnected: the place is given up at this time. */
  readonly graceUntil: number | null
}

export interface WaitingRecord {
  readonly info: WaitingEntry
  readonly secret: string
  readonly conn: ConnId
  readonly role: Role
}

export interface RoomState {
  readonly config: RoomConfig
  readonly room: string
  /** Bumped by one for every change to the shared state. */
  readonly version: number
  /** Last chat sequence number assigned. */
  readonly chatSeq: number
  readonly dmSeq: number
  readonly flags: RoomFlags
  /** The first participant ever admitted (the creator, who is host); null for a fresh room. */
  readonly creator: ParticipantId | null
  readonly participants: Readonly<Record<ParticipantId, ParticipantRecord>>
  readonly waiting: Readonly<Record<ParticipantId, WaitingRecord>>
  readonly connections: Readonly<Record<ConnId, ConnectionRecord>>
  readonly chat: readonly ChatMessage[]
  readonly dms: readonly DirectMessage[]
  /** When the last participant left; null while anyone is in (or the room never had anyone). */
  readonly emptySince: number | null
  /** The time the adapter was last asked to wake the room (`schedule`), or null. */
  readonly alarmAt: number | null
}

/** What a verified join token grants; null when the room runs without token checks (the local hub's default). */
export interface JoinGrant {
  readonly name?: string
  readonly role?: Role
  readonly ai?: boolean
}

/** A socket still open when a room is rebuilt; the times default to the moment of the rebuild. */
export interface LiveConnection {
  readonly conn: ConnId
  readonly openedAt?: number
  /** Last frame or ping seen on it (the DO knows this from attachments and auto-response timestamps). */
  readonly lastSeen?: number
}

export type RoomEvent =
  | { readonly type: 'open'; readonly conn: ConnId; readonly now: number }
  | {
      readonly type: 'join'
      readonly conn: ConnId
      readonly now: number
      readonly message: ClientMessageOf<'join'>
      readonly grant: JoinGrant | null
      /** Fresh random values for a new participant (the core is pure, so the adapter draws them). */
      readonly fresh: { readonly id: ParticipantId; readonly secret: string }
    }
  | {
      readonly type: 'message'
      readonly conn: ConnId
      readonly now: number
      readonly message: Exclude<ClientMessage, ClientMessageOf<'join'>>
    }
  | {
      /** A frame that failed before reaching the core (size, JSON, schema, token). */
      readonly type: 'rejected'
      readonly conn: ConnId
      readonly now: number
      readonly code: RoomErrorCode
      readonly message: string
      readonly id?: string
      /** Close the connection after the error (a bad token, for example), regardless of strikes. */
      readonly close?: CloseReason
    }
  | { readonly type: 'closed'; readonly conn: ConnId; readonly now: number }
  | {
      readonly type: 'tick'
      readonly now: number
      /** Last heartbeat per connection seen outside the core (the DO's auto-response timestamps). */
      readonly seen?: Readonly<Record<ConnId, number>>
    }
  | {
      /** After loading persisted state: these connections are still open; everyone else lost theirs. */
      readonly type: 'restore'
      readonly now: number
      readonly live: readonly LiveConnection[]
    }

/** A server frame with its envelope filled in by the core. */
export type Outgoing = ServerMessage

export type Effect =
  | { readonly kind: 'send'; readonly conn: ConnId; readonly message: Outgoing }
  | { readonly kind: 'broadcast'; readonly to: readonly ConnId[]; readonly message: Outgoing }
  | { readonly kind: 'close'; readonly conn: ConnId; readonly reason: CloseReason }
  /** Persist what changed. `meta` covers flags, participants, waiting; the counters are always included. */
  | {
      readonly kind: 'persist'
      readonly meta: boolean
      readonly chat?: ChatMessage
      readonly dm?: DirectMessage
    }
  /** Call `tick` at this time (ms since epoch); null cancels. */
  | { readonly kind: 'schedule'; readonly at: number | null }
  /** The room is over (ended, or empty past retention): delete everything stored for it. */
  | { readonly kind: 'deleteData' }

export interface Step {
  readonly state: RoomState
  readonly effects: readonly Effect[]
}

export function initialRoomState(room: string, config: RoomConfig = DEFAULT_ROOM_CONFIG): RoomState {
  return {
    config,
    room,
    version: 0,
    chatSeq: 0,
    dmSeq: 0,
    flags: { locked: false, waitingRoom: false, recording: false, allowRecording: true },
    creator: null,
    participants: {},
    waiting: {},
    connections: {},
    chat: [],
    dms: [],
    emptySince: null,
    alarmAt: null,
  }
}

/** Refill then try to take one token. */
export function takeToken(
  bucket: Bucket,
  now: number,
  ratePerSecond: number,
  capacity: number,
): { ok: boolean; bucket: Bucket } {
  const elapsed = Math.max(0, now - bucket.at)
  const tokens = Math.min(capacity, bucket.tokens + (elapsed / 1000) * ratePerSecond)
  if (tokens < 1) return { ok: false, bucket: { tokens, at: Math.max(now, bucket.at) } }
  return { ok: true, bucket: { tokens: tokens - 1, at: Math.max(now, bucket.at) } }
}

/** The room as participant `pid` sees it. */
export function viewFor(state: RoomState, pid: ParticipantId | null): RoomView {
  return {
    room: state.room,
    version: state.version,
    flags: state.flags,
    participants: Object.values(state.participants).map((p) => p.info),
    waiting: Object.values(state.waiting).map((w) => w.info),
    chat: [...state.chat],
    dms: pid === null ? [] : state.dms.filter((m) => m.from === pid || m.to === pid),
  }
}

/** Connections of admitted participants: who receives deltas. */
export function memberConnections(state: RoomState): ConnId[] {
  const out: ConnId[] = []
  for (const p of Object.values(state.participants)) if (p.conn !== null) out.push(p.conn)
  return out
}

export function isHostRole(role: Role): boolean {
  return role === 'host' || role === 'cohost'
}
