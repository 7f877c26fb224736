import { z } from 'zod'

/**
 * The room protocol, version 1: JSON text frames between a client and a room (the local hub or the Worker's Durable
 * Object). Both ends parse every frame with these schemas; a frame that fails is answered with an `error` frame and
 * dropped, never cast.
 *
 * Consistency: every change to the shared room state bumps `version` by one and goes out as one `delta` carrying the
 * new version. Every other server frame carries the current version too, so a client that sees a version above the
 * one it knows has missed something and sends `resync` (the answer is a `snapshot`). Direct messages, reactions and
 * orders are not room state (they are not visible to everyone) and do not bump the version.
 *
 * Exactly-once chat: the client gives each message an id (`id`, unique per client, e.g. a UUID) and resends until it
 * sees an `ack` for that id; the room dedupes by id and acks a duplicate with the original sequence number.
 */
export const PROTOCOL_VERSION = 1

/** Caps every room enforces; clients use them to validate before sending. */
export const ROOM_LIMITS = {
  /** Largest text frame a room reads, in bytes (UTF-8). Bigger frames get `too_large`. */
  maxFrameBytes: 16 * 1024,
  maxChatChars: 4000,
  maxNameChars: 64,
  maxTracks: 16,
  /** Chat messages (and, separately, direct messages) a room keeps and replays on join. */
  historySize: 500,
  maxParticipants: 200,
  maxWaiting: 100,
} as const

/**
 * The heartbeat is a fixed string so the Durable Object can answer it with `setWebSocketAutoResponse` without waking
 * up. Clients must send exactly these bytes.
 */
export const PING_FRAME = '{"v":1,"type":"ping"}'
export const PONG_FRAME = '{"v":1,"type":"pong"}'

const V = z.literal(PROTOCOL_VERSION)
/** Ids that clients and rooms make up: URL-safe, short. */
export const WireId = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_-]+$/)
/** A room's name as it appears in URLs and storage keys. */
export const RoomName = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_-]+$/)
export const ParticipantId = WireId
export type ParticipantId = z.infer<typeof ParticipantId>

export const Role = z.enum(['host', 'cohost', 'guest'])
export type Role = z.infer<typeof Role>

export const DisplayName = z.string().trim().min(1).max(ROOM_LIMITS.maxNameChars)

export const TrackSource = z.enum(['camera', 'mic', 'screen', 'screenAudio'])
export type TrackSource = z.infer<typeof TrackSource>

/** One published track in the Calls session of a participant. */
export const TrackInfo = z
  .object({
    /** The Calls track name (`trackName` in `tracks/new`), which others pull. */
    name: z.string().min(1).max(128),
    kind: z.enum(['audio', 'video']),
    source: TrackSource,
    muted: z.boolean(),
  })
  .strict()
export type TrackInfo = z.infer<typeof TrackInfo>

/** What a participant publishes: its Calls session id and its tracks. */
export const TrackDirectory = z
  .object({
    sessionId: z.string().min(1).max(128),
    tracks: z.array(TrackInfo).max(ROOM_LIMITS.maxTracks),
  })
  .strict()
export type TrackDirectory = z.infer<typeof TrackDirectory>

/**
 * What a participant runs that everyone must be told about: a local recording of the meeting, live captions of
 * what people say, the AI assistant reading the meeting. Set by the participant itself (`activity` message).
 */
export const ParticipantActivity = z
  .object({
    recording: z.enum(['off', 'on', 'paused']),
    captions: z.boolean(),
    assistant: z.boolean(),
  })
  .strict()
export type ParticipantActivity = z.infer<typeof ParticipantActivity>
export const NO_ACTIVITY: ParticipantActivity = { recording: 'off', captions: false, assistant: false }

export const Participant = z.object({
  id: ParticipantId,
  name: DisplayName,
  role: Role,
  /** An AI agent bridged into the meeting (shown as such to everyone). */
  ai: z.boolean(),
  /** When the hand went up (ms since epoch), or null. */
  handRaisedAt: z.number().nullable(),
  joinedAt: z.number(),
  /** False while the participant's connection is lost and the room holds its place (the resume grace period). */
  connected: z.boolean(),
  tracks: TrackDirectory.nullable(),
  /** Older rooms (persisted before activity existed) read as nothing running. */
  activity: ParticipantActivity.default(NO_ACTIVITY),
})
export type Participant = z.infer<typeof Participant>

export const WaitingEntry = z.object({
  id: ParticipantId,
  name: DisplayName,
  ai: z.boolean(),
  since: z.number(),
})
export type WaitingEntry = z.infer<typeof WaitingEntry>

export const RoomFlags = z.object({
  locked: z.boolean(),
  waitingRoom: z.boolean(),
  /** Set by a host's `recording` action (a recording the room itself announces). */
  recording: z.boolean(),
  /** Whether participants who are not hosts may record locally; hosts and co-hosts always may. */
  allowRecording: z.boolean().default(true),
})
export type RoomFlags = z.infer<typeof RoomFlags>

export const ChatText = z.string().trim().min(1).max(ROOM_LIMITS.maxChatChars)

export const ChatMessage = z.object({
  /** Room-assigned, contiguous from 1 within a room's life. */
  seq: z.number().int().positive(),
  /** The sender's message id (dedupe key). */
  id: WireId,
  from: ParticipantId,
  name: DisplayName,
  text: ChatText,
  at: z.number(),
})
export type ChatMessage = z.infer<typeof ChatMessage>

export const DirectMessage = ChatMessage.extend({ to: ParticipantId })
export type DirectMessage = z.infer<typeof DirectMessage>

/** The room as one participant sees it: the `welcome` and `snapshot` payload. */
export const RoomView = z.object({
  room: z.string().min(1).max(128),
  version: z.number().int().nonnegative(),
  flags: RoomFlags,
  participants: z.array(Participant),
  waiting: z.array(WaitingEntry),
  chat: z.array(ChatMessage),
  /** Only the direct messages this participant sent or received. */
  dms: z.array(DirectMessage),
})
export type RoomView = z.infer<typeof RoomView>

export const LeaveReason = z.enum(['left', 'timeout', 'disconnected', 'removed', 'ended'])
export type LeaveReason = z.infer<typeof LeaveReason>

/** One change to the shared room state; each is one `delta` frame and one version step. */
export const RoomChange = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('joined'), participant: Participant }),
  z.object({ kind: z.literal('updated'), participant: Participant }),
  z.object({ kind: z.literal('left'), id: ParticipantId, reason: LeaveReason }),
  z.object({ kind: z.literal('chat'), message: ChatMessage }),
  z.object({ kind: z.literal('flags'), flags: RoomFlags }),
  z.object({ kind: z.literal('waiting'), waiting: z.array(WaitingEntry) }),
])
export type RoomChange = z.infer<typeof RoomChange>

export const HostAction = z.discriminatedUnion('kind', [
  /** Mute the target's microphone (the room marks it muted and orders the client to stop sending). */
  z.object({ kind: z.literal('mute'), target: ParticipantId }).strict(),
  z.object({ kind: z.literal('stopVideo'), target: ParticipantId }).strict(),
  z.object({ kind: z.literal('remove'), target: ParticipantId }).strict(),
  z.object({ kind: z.literal('lock'), locked: z.boolean() }).strict(),
  /** Turning the waiting room off admits everyone waiting. */
  z.object({ kind: z.literal('waitingRoom'), enabled: z.boolean() }).strict(),
  z.object({ kind: z.literal('admit'), target: ParticipantId }).strict(),
  z.object({ kind: z.literal('deny'), target: ParticipantId }).strict(),
  /** Host only. */
  z.object({ kind: z.literal('setRole'), target: ParticipantId, role: Role }).strict(),
  z.object({ kind: z.literal('recording'), active: z.boolean() }).strict(),
  /** Let participants record locally, or forbid it (current non-host recordings are ordered to stop). */
  z.object({ kind: z.literal('allowRecording'), allow: z.boolean() }).strict(),
  /** Host only: closes the room for everyone and deletes its data. */
  z.object({ kind: z.literal('end') }).strict(),
])
export type HostAction = z.infer<typeof HostAction>

export const Resume = z.object({ participant: ParticipantId, secret: z.string().min(16).max(128) }).strict()

const msg = <K extends string, T extends z.ZodRawShape>(type: K, shape: T) =>
  z.object({ v: V, type: z.literal(type), ...shape }).strict()

/** Client → room. `id` is the client's message id; the room answers each with `ack` or `error` carrying it. */
export const ClientMessage = z.discriminatedUnion('type', [
  msg('join', {
    id: WireId,
    /** A signed join token; rooms run without a token secret (the local hub by default) accept ''. */
    token: z.string().max(4096),
    name: DisplayName,
    ai: z.boolean().optional(),
    /** Present after a reconnect: take over the old participant instead of joining anew. */
    resume: Resume.optional(),
  }),
  msg('ping', {}),
  msg('resync', { id: WireId.optional() }),
  msg('leave', { id: WireId.optional() }),
  msg('tracks', { id: WireId, directory: TrackDirectory.nullable() }),
  msg('chat', { id: WireId, text: ChatText, to: ParticipantId.optional() }),
  msg('hand', { id: WireId, raised: z.boolean() }),
  msg('reaction', { id: WireId, emoji: z.string().min(1).max(16) }),
  /** Announce what this participant runs (recording, captions, assistant); only the given fields change. */
  msg('activity', { id: WireId, activity: ParticipantActivity.partial() }),
  msg('host', { id: WireId, action: HostAction }),
])
export type ClientMessage = z.infer<typeof ClientMessage>
export type ClientMessageOf<T extends ClientMessage['type']> = Extract<ClientMessage, { type: T }>
/** A client frame without the protocol version the sender fills in. */
export type ClientBody = ClientMessage extends infer M
  ? M extends ClientMessage
    ? Omit<M, 'v'>
    : never
  : never

export const RoomErrorCode = z.enum([
  'bad_frame',
  'too_large',
  'unsupported_version',
  'rate_limited',
  'unauthorized',
  'forbidden',
  'not_joined',
  'already_joined',
  'room_locked',
  'room_full',
  'not_found',
  'invalid',
])
export type RoomErrorCode = z.infer<typeof RoomErrorCode>

/** Why the room is about to close a connection (sent just before the close frame). */
export const CloseReason = z.enum([
  'left',
  'removed',
  'ended',
  'denied',
  'timeout',
  'replaced',
  'abuse',
  'unauthorized',
  'room_locked',
  'room_full',
  'slow_consumer',
  'restart',
])
export type CloseReason = z.infer<typeof CloseReason>

/** WebSocket close codes the room uses (4000–4999 are the application's). */
export const CLOSE_CODES: Readonly<Record<CloseReason, number>> = {
  left: 1000,
  removed: 4001,
  ended: 4002,
  denied: 4003,
  timeout: 4004,
  replaced: 4005,
  abuse: 1008,
  unauthorized: 4006,
  room_locked: 4007,
  room_full: 4008,
  slow_consumer: 4009,
  restart: 1012,
}

/** Close reasons after which reconnecting is pointless (the client stops). */
export const FINAL_CLOSE_REASONS: ReadonlySet<CloseReason> = new Set([
  'left',
  'removed',
  'ended',
  'denied',
  'unauthorized',
  'room_locked',
  'room_full',
  'abuse',
])

const smsg = <K extends string, T extends z.ZodRawShape>(type: K, shape: T) =>
  z.object({ v: V, type: z.literal(type), version: z.number().int().nonnegative(), ...shape })

/** Room → client. */
export const ServerMessage = z.discriminatedUnion('type', [
  smsg('welcome', {
    you: ParticipantId,
    /** Present this with `resume` to take the same place after a reconnect. Keep it private. */
    secret: z.string(),
    resumed: z.boolean(),
    view: RoomView,
  }),
  /** The room has a waiting room and a host has to admit this connection; `welcome` or `closing` follows. */
  smsg('waiting', { you: ParticipantId, secret: z.string() }),
  smsg('delta', { change: RoomChange }),
  smsg('snapshot', { view: RoomView }),
  /** The message `id` was applied. `seq` is set for chat (the original one when `duplicate`). */
  smsg('ack', { id: WireId, seq: z.number().int().positive().optional(), duplicate: z.boolean().optional() }),
  smsg('dm', { message: DirectMessage }),
  smsg('reaction', { from: ParticipantId, emoji: z.string(), at: z.number() }),
  /** A host told this participant to stop sending a kind of media; the client must comply. */
  smsg('order', { order: z.enum(['mute', 'stopVideo', 'stopRecording']), by: ParticipantId }),
  smsg('error', { id: WireId.optional(), code: RoomErrorCode, message: z.string().max(500) }),
  smsg('closing', { reason: CloseReason }),
])
export type ServerMessage = z.infer<typeof ServerMessage>
export type ServerMessageOf<T extends ServerMessage['type']> = Extract<ServerMessage, { type: T }>

/** A server frame without the envelope the room fills in (`v`, `version`). */
export type ServerBody = ServerMessage extends infer M
  ? M extends ServerMessage
    ? Omit<M, 'v' | 'version'>
    : never
  : never

export type ParsedFrame =
  | { readonly ok: true; readonly message: ClientMessage }
  | { readonly ok: false; readonly code: RoomErrorCode; readonly message: string; readonly id?: string }

/** UTF-8 byte length without allocating (frames are checked before parsing). */
export function utf8Length(text: string): number {
  let bytes = 0
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c < 0x80) bytes += 1
    else if (c < 0x800) bytes += 2
    else if (c >= 0xd800 && c <= 0xdbff) {
      bytes += 4
      i++
    } else bytes += 3
  }
  return bytes
}

/**
 * Parse one client frame: size cap, JSON, protocol version, schema. Never throws. When the frame is JSON with a
 * usable `id`, the error carries it so the client can match it.
 */
export function parseClientFrame(data: string | ArrayBuffer | Uint8Array): ParsedFrame {
  if (typeof data !== 'string') {
    return {
      ok: false,
      code: 'bad_frame',
      message: 'Send text frames; binary frames are not part of the protocol.',
    }
  }
  if (data.length > ROOM_LIMITS.maxFrameBytes || utf8Length(data) > ROOM_LIMITS.maxFrameBytes) {
    return {
      ok: false,
      code: 'too_large',
      message: `Frames are limited to ${ROOM_LIMITS.maxFrameBytes} bytes.`,
    }
  }
  let raw: unknown
  try {
    raw = JSON.parse(data)
  } catch {
    return { ok: false, code: 'bad_frame', message: 'The frame is not valid JSON.' }
  }
  const rawId =
    raw !== null && typeof raw === 'object' && 'id' in raw
      ? WireId.safeParse((raw as { id: unknown }).id)
      : null
  const id = rawId?.success ? rawId.data : undefined
  if (raw === null || typeof raw !== 'object' || (raw as { v?: unknown }).v !== PROTOCOL_VERSION) {
    return {
      ok: false,
      code: 'unsupported_version',
      message: `This room speaks protocol version ${PROTOCOL_VERSION}; update Convene.`,
      ...(id ? { id } : {}),
    }
  }
  const parsed = ClientMessage.safeParse(raw)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    const where = issue && issue.path.length > 0 ? issue.path.map(String).join('.') : 'frame'
    return {
      ok: false,
      code: 'invalid',
      message: `${where}: ${issue?.message ?? 'invalid'}`.slice(0, 300),
      ...(id ? { id } : {}),
    }
  }
  return { ok: true, message: parsed.data }
}

/** Parse one server frame on the client. `pong` is returned as its own case. */
export function parseServerFrame(
  data: string,
): { ok: true; message: ServerMessage } | { ok: true; pong: true } | { ok: false; error: string } {
  if (data === PONG_FRAME) return { ok: true, pong: true }
  let raw: unknown
  try {
    raw = JSON.parse(data)
  } catch {
    return { ok: false, error: 'not JSON' }
  }
  const parsed = ServerMessage.safeParse(raw)
  if (!parsed.success) return { ok: false, error: parsed.error.issues[0]?.message ?? 'invalid' }
  return { ok: true, message: parsed.data }
}
