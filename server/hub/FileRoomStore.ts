import { appendFileSync, existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { LoadedRoom, RoomStore, StoreBatch } from '../../shared/room/persist'

/** Rewrite the journal as one line once it has this many lines. */
const COMPACT_AFTER_LINES = 2000

/**
 * A room's storage on disk: an append-only journal, one JSON line per batch, so a batch is one `write` and lands
 * whole or (when the process dies mid-line) is dropped as a torn last line on load. Durable across a process crash,
 * not across power loss (no fsync per message: it would cap chat throughput at the disk's sync rate). The journal is
 * compacted into a single `reset` line (temp file + rename) every COMPACT_AFTER_LINES writes, so it stays bounded
 * like the history itself.
 */
export class FileRoomStore implements RoomStore {
  private readonly path: string
  /** Mirror of what the journal holds, so compaction needs no re-read. */
  private readonly entries = new Map<string, unknown>()
  private lines = 0
  torn = 0

  constructor(dir: string, room: string) {
    // Room names are validated by the hub ([A-Za-z0-9_-]), so they are safe file names.
    this.path = join(dir, `${room}.jsonl`)
  }

  load(): LoadedRoom {
    this.entries.clear()
    this.lines = 0
    if (existsSync(this.path)) {
      for (const line of readFileSync(this.path, 'utf8').split('\n')) {
        if (line === '') continue
        let batch: StoreBatch
        try {
          batch = JSON.parse(line) as StoreBatch
        } catch {
          this.torn++
          continue
        }
        this.apply(batch)
        this.lines++
      }
    }
    const prefixed = (prefix: string) =>
      [...this.entries.entries()].filter(([k]) => k.startsWith(prefix)).map(([, v]) => v)
    return {
      head: this.entries.get('head'),
      meta: this.entries.get('meta'),
      chat: prefixed('chat:'),
      dms: prefixed('dm:'),
    }
  }

  write(batch: StoreBatch): void {
    appendFileSync(this.path, `${JSON.stringify(batch)}\n`, { mode: 0o600 })
    this.apply(batch)
    if (++this.lines >= COMPACT_AFTER_LINES) this.compact()
  }

  deleteAll(): void {
    rmSync(this.path, { force: true })
    this.entries.clear()
    this.lines = 0
  }

  private apply(batch: StoreBatch): void {
    if (batch.reset) this.entries.clear()
    this.entries.set('head', batch.head)
    if (batch.meta) this.entries.set('meta', batch.meta)
    for (const { key, message } of batch.chat ?? []) this.entries.set(key, message)
    for (const { key, message } of batch.dms ?? []) this.entries.set(key, message)
  }

  private compact(): void {
    const chat = [...this.entries.entries()]
      .filter(([k]) => k.startsWith('chat:'))
      .map(([key, message]) => ({ key, message }))
    const dms = [...this.entries.entries()]
      .filter(([k]) => k.startsWith('dm:'))
      .map(([key, message]) => ({ key, message }))
    const whole = {
      reset: true,
      head: this.entries.get('head'),
      ...(this.entries.has('meta') ? { meta: this.entries.get('meta') } : {}),
      chat,
      dms,
    }
    const temp = `${this.path}.tmp`
    writeFileSync(temp, `${JSON.stringify(whole)}\n`, { mode: 0o600 })
    renameSync(temp, this.path)
    this.lines = 1
  }
}
