import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { z } from 'zod'
import type { Logger } from '../../../shared/log/logger'
import { ChatText, ParticipantId, WireId } from '../../../shared/room/protocol'
import { quarantineIfCorrupt } from '../storage/documentStore'

export const OutboxEntry = z.object({
  id: WireId,
  text: ChatText,
  to: ParticipantId.optional(),
  queuedAt: z.number(),
})
export type OutboxEntry = z.infer<typeof OutboxEntry>

export const RoomIdentity = z.object({
  participant: ParticipantId,
  secret: z.string().min(16).max(128),
  savedAt: z.number(),
})
export type RoomIdentity = z.infer<typeof RoomIdentity>

const RoomRecord = z.object({
  identity: RoomIdentity.nullable(),
  pending: z.array(OutboxEntry).max(2000),
})
type RoomRecord = z.infer<typeof RoomRecord>

const OutboxFile = z.object({ v: z.literal(1), rooms: z.record(z.string().max(2100), RoomRecord) })

/**
 * Chat messages the room has not acknowledged yet, and the resume identity per room, in one small JSON file. Every
 * change is written at once (temp file + rename), so a crash or a power cut loses nothing that `add()` returned
 * for; a damaged file is set aside (`*.corrupt-<time>.json`) and the outbox starts empty.
 */
export class OutboxStore {
  private rooms: Record<string, RoomRecord> = {}

  constructor(
    readonly path: string,
    private readonly log: Logger,
  ) {
    const notice = quarantineIfCorrupt(path, 'unsent chat')
    if (notice) log.warn('outbox file was damaged and set aside', { path })
    if (!existsSync(path)) return
    const parsed = OutboxFile.safeParse(JSON.parse(readFileSync(path, 'utf8')))
    if (parsed.success) this.rooms = parsed.data.rooms
    else log.warn('outbox file has an unknown shape; starting empty', { path })
  }

  pending(room: string): readonly OutboxEntry[] {
    return this.rooms[room]?.pending ?? []
  }

  identity(room: string): RoomIdentity | null {
    return this.rooms[room]?.identity ?? null
  }

  add(room: string, entry: OutboxEntry): void {
    const record = this.record(room)
    this.rooms[room] = { ...record, pending: [...record.pending, entry] }
    this.flush()
  }

  remove(room: string, id: string): boolean {
    const record = this.rooms[room]
    if (!record || !record.pending.some((e) => e.id === id)) return false
    this.rooms[room] = { ...record, pending: record.pending.filter((e) => e.id !== id) }
    this.flush()
    return true
  }

  setIdentity(room: string, identity: RoomIdentity | null): void {
    this.rooms[room] = { ...this.record(room), identity }
    this.flush()
  }

  /** Forget a room entirely (after leaving it). */
  clear(room: string): void {
    if (!(room in this.rooms)) return
    delete this.rooms[room]
    this.flush()
  }

  private record(room: string): RoomRecord {
    return this.rooms[room] ?? { identity: null, pending: [] }
  }

  private flush(): void {
    const temp = `${this.path}.tmp`
    writeFileSync(temp, JSON.stringify({ v: 1, rooms: this.rooms }), { mode: 0o600 })
    renameSync(temp, this.path)
  }
}
