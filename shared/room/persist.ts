import { z } from 'zod'
import {
  ChatMessage,
  DirectMessage,
  Participant,
  Role,
  RoomFlags,
  ROOM_LIMITS,
  WaitingEntry,
} from './protocol'
import { initialRoomState, type Effect, type RoomConfig, type RoomState } from './state'

/**
 * What a room stores, as key → JSON value: `head` (counters), `meta` (flags, participants, waiting), and two rings
 * of slots, `chat:<n>` and `dm:<n>`, n = (seq - 1) mod historySize, so history stays bounded without deletes. A
 * store writes one `StoreBatch` atomically (a DO storage transaction, one journal line in the hub).
 */
export const STORAGE_VERSION = 1

export const PersistedHead = z.object({
  v: z.literal(STORAGE_VERSION),
  version: z.number().int().nonnegative(),
  chatSeq: z.number().int().nonnegative(),
  dmSeq: z.number().int().nonnegative(),
})
export type PersistedHead = z.infer<typeof PersistedHead>

const ParticipantRecordSchema = z.object({
  info: Participant,
  secret: z.string(),
  conn: z.string().nullable(),
  graceUntil: z.number().nullable(),
})
const WaitingRecordSchema = z.object({ info: WaitingEntry, secret: z.string(), conn: z.string(), role: Role })

export const PersistedMeta = z.object({
  v: z.literal(STORAGE_VERSION),
  room: z.string(),
  flags: RoomFlags,
  creator: z.string().nullable(),
  emptySince: z.number().nullable(),
  participants: z.array(ParticipantRecordSchema),
  waiting: z.array(WaitingRecordSchema),
})
export type PersistedMeta = z.infer<typeof PersistedMeta>

export interface StoreBatch {
  readonly head: PersistedHead
  readonly meta?: PersistedMeta
  /** Key → message for the ring slots written by this batch. */
  readonly chat?: readonly { readonly key: string; readonly message: ChatMessage }[]
  readonly dms?: readonly { readonly key: string; readonly message: DirectMessage }[]
  /** Wipe everything first (an import). */
  readonly reset?: boolean
}

/** Everything a store hands back on load; entries that fail their schema are dropped (and counted). */
export interface LoadedRoom {
  readonly head: unknown
  readonly meta: unknown
  readonly chat: readonly unknown[]
  readonly dms: readonly unknown[]
}

/** A room's persistence, implemented by each adapter. */
export interface RoomStore {
  load(): LoadedRoom
  /** All of the batch or none of it. */
  write(batch: StoreBatch): void
  deleteAll(): void
}

export const chatKey = (seq: number, historySize: number): string => `chat:${(seq - 1) % historySize}`
export const dmKey = (seq: number, historySize: number): string => `dm:${(seq - 1) % historySize}`

export function headOf(s: RoomState): PersistedHead {
  return { v: STORAGE_VERSION, version: s.version, chatSeq: s.chatSeq, dmSeq: s.dmSeq }
}

export function metaOf(s: RoomState): PersistedMeta {
  return {
    v: STORAGE_VERSION,
    room: s.room,
    flags: s.flags,
    creator: s.creator,
    emptySince: s.emptySince,
    participants: Object.values(s.participants).map((p) => ({ ...p })),
    waiting: Object.values(s.waiting).map((w) => ({ ...w })),
  }
}

/** The batch for one `persist` effect. */
export function batchFor(s: RoomState, effect: Extract<Effect, { kind: 'persist' }>): StoreBatch {
  const size = s.config.historySize
  return {
    head: headOf(s),
    ...(effect.meta ? { meta: metaOf(s) } : {}),
    ...(effect.chat ? { chat: [{ key: chatKey(effect.chat.seq, size), message: effect.chat }] } : {}),
    ...(effect.dm ? { dms: [{ key: dmKey(effect.dm.seq, size), message: effect.dm }] } : {}),
  }
}

/** Everything, for a rewrite after an import. */
export function fullBatch(s: RoomState): StoreBatch {
  const size = s.config.historySize
  return {
    reset: true,
    head: headOf(s),
    meta: metaOf(s),
    chat: s.chat.map((message) => ({ key: chatKey(message.seq, size), message })),
    dms: s.dms.map((message) => ({ key: dmKey(message.seq, size), message })),
  }
}

/**
 * Rebuild the state from what a store returned. Connections are not stored: the adapter follows with a `restore`
 * event naming the sockets that are still open. Returns the number of entries that failed validation.
 */
export function restoreState(
  room: string,
  config: RoomConfig,
  loaded: LoadedRoom,
): { state: RoomState; dropped: number } {
  const base = initialRoomState(room, config)
  let dropped = 0
  const head = PersistedHead.safeParse(loaded.head)
  const meta = PersistedMeta.safeParse(loaded.meta)
  if (loaded.head !== undefined && !head.success) dropped++
  if (loaded.meta !== undefined && !meta.success) dropped++
  const valid = <T>(schema: z.ZodType<T>, items: readonly unknown[]): T[] =>
    items.flatMap((item) => {
      const r = schema.safeParse(item)
      if (!r.success) dropped++
      return r.success ? [r.data] : []
    })
  const chatSeq = head.success ? head.data.chatSeq : 0
  const dmSeq = head.success ? head.data.dmSeq : 0
  // Ring slots may hold messages from before the newest `historySize`; keep only the window ending at the counter.
  const window = <T extends { seq: number }>(list: T[], last: number): T[] =>
    list.filter((m) => m.seq <= last && m.seq > last - config.historySize).sort((a, b) => a.seq - b.seq)
  const chat = window(valid(ChatMessage, loaded.chat), chatSeq)
  const dms = window(valid(DirectMessage, loaded.dms), dmSeq)
  const state: RoomState = {
    ...base,
    version: head.success ? head.data.version : 0,
    chatSeq,
    dmSeq,
    chat,
    dms,
    ...(meta.success
      ? {
          flags: meta.data.flags,
          creator: meta.data.creator,
          emptySince: meta.data.emptySince,
          participants: Object.fromEntries(meta.data.participants.map((p) => [p.info.id, p])),
          waiting: Object.fromEntries(meta.data.waiting.map((w) => [w.info.id, w])),
        }
      : {}),
  }
  return { state, dropped }
}

/** The portable form of a room: its settings and public chat. Direct messages and participants stay behind. */
export const RoomExport = z
  .object({
    format: z.literal('convene-room'),
    v: z.literal(1),
    exportedAt: z.number(),
    room: z.string().min(1).max(128),
    flags: RoomFlags,
    version: z.number().int().nonnegative(),
    chatSeq: z.number().int().nonnegative(),
    chat: z.array(ChatMessage).max(ROOM_LIMITS.historySize),
  })
  .strict()
  .superRefine((doc, ctx) => {
    for (let i = 1; i < doc.chat.length; i++) {
      if (doc.chat[i]!.seq !== doc.chat[i - 1]!.seq + 1) {
        ctx.addIssue({
          code: 'custom',
          message: 'chat sequence numbers must be contiguous',
          path: ['chat', i],
        })
        return
      }
    }
    const last = doc.chat.at(-1)
    if (last && last.seq !== doc.chatSeq) {
      ctx.addIssue({ code: 'custom', message: 'chatSeq must equal the last message seq', path: ['chatSeq'] })
    }
  })
export type RoomExport = z.infer<typeof RoomExport>

export function exportRoom(s: RoomState, now: number): RoomExport {
  return {
    format: 'convene-room',
    v: 1,
    exportedAt: now,
    room: s.room,
    flags: s.flags,
    version: s.version,
    chatSeq: s.chatSeq,
    chat: [...s.chat],
  }
}

export type ImportResult =
  | { readonly ok: true; readonly state: RoomState }
  | { readonly ok: false; readonly reason: 'invalid' | 'occupied'; readonly message: string }

/**
 * Load an export into a room nobody is in. The version continues from the larger of the two so clients never see
 * it go back; the recording flag is cleared (no recording survives a move).
 */
export function importRoom(s: RoomState, data: unknown, now: number): ImportResult {
  if (Object.keys(s.participants).length > 0 || Object.keys(s.waiting).length > 0) {
    return { ok: false, reason: 'occupied', message: 'Import only into an empty room.' }
  }
  const parsed = RoomExport.safeParse(data)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    return {
      ok: false,
      reason: 'invalid',
      message: `Not a Convene room export: ${issue ? `${issue.path.join('.')} ${issue.message}` : 'invalid'}`,
    }
  }
  const doc = parsed.data
  const chat = doc.chat.slice(-s.config.historySize)
  return {
    ok: true,
    state: {
      ...s,
      version: Math.max(s.version, doc.version) + 1,
      chatSeq: doc.chatSeq,
      chat,
      dms: [],
      flags: { ...doc.flags, recording: false },
      // Counts as "everyone left now", so retention deletes an import nobody uses.
      emptySince: now,
    },
  }
}
