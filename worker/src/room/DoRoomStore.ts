import type { LoadedRoom, RoomStore, StoreBatch } from '../../../shared/room/persist'

/** Keys that hold room data (everything except the room's name). */
const DATA_PREFIXES = ['head', 'meta', 'chat:', 'dm:']

/**
 * Room storage on the Durable Object's SQLite-backed storage, with group commit.
 *
 * Every storage commit costs a SQLite transaction and holds the object's output gate until it is durable; one
 * commit per chat message caps a room at a few hundred messages a second. So writes are collected (last write
 * per key wins) and committed together in one `transactionSync` when the current burst of events has been
 * handled (a zero-delay timer), and every frame the room sends meanwhile is held and sent right after that
 * commit. Order is kept and nothing is sent before the write it depends on (an ack never precedes its message's
 * storage); the output gate then holds those frames until the commit is confirmed. `flush()` commits at once
 * (alarms, RPCs).
 */
export class DoRoomStore implements RoomStore {
  private readonly pending = new Map<string, unknown>()
  private wipe = false
  private held: Array<() => void> = []
  private armed = false

  constructor(private readonly storage: DurableObjectStorage) {}

  load(): LoadedRoom {
    const kv = this.storage.kv
    const values = (prefix: string) => [...kv.list({ prefix })].map(([, value]) => value)
    return { head: kv.get('head'), meta: kv.get('meta'), chat: values('chat:'), dms: values('dm:') }
  }

  write(batch: StoreBatch): void {
    if (batch.reset) this.deleteAll()
    this.pending.set('head', batch.head)
    if (batch.meta) this.pending.set('meta', batch.meta)
    for (const { key, message } of batch.chat ?? []) this.pending.set(key, message)
    for (const { key, message } of batch.dms ?? []) this.pending.set(key, message)
    this.arm()
  }

  deleteAll(): void {
    this.pending.clear()
    this.wipe = true
    this.arm()
  }

  /** Run `send` now if nothing is waiting to be committed, else right after the next commit (in order). */
  output(send: () => void): void {
    if (!this.armed) send()
    else this.held.push(send)
  }

  /** Commit what is pending, then release the frames held behind it. */
  flush(): void {
    this.armed = false
    if (this.wipe || this.pending.size > 0) {
      const kv = this.storage.kv
      this.storage.transactionSync(() => {
        if (this.wipe) this.clear()
        for (const [key, value] of this.pending) kv.put(key, value)
      })
      this.pending.clear()
      this.wipe = false
    }
    const held = this.held
    this.held = []
    for (const send of held) send()
  }

  private arm(): void {
    if (this.armed) return
    this.armed = true
    setTimeout(() => this.flush(), 0)
  }

  /** At most 2 × historySize + 2 keys, so listing and deleting them in one transaction is cheap. */
  private clear(): void {
    const kv = this.storage.kv
    for (const prefix of DATA_PREFIXES) {
      for (const [key] of [...kv.list({ prefix })]) kv.delete(key)
    }
  }
}
