import type { LoadedRoom, RoomStore, StoreBatch } from './persist'

/**
 * A room store in memory, keyed like the real ones. Values are copied through JSON on the way in and out, so a
 * test sees exactly what would survive a restart. Pass the same instance to a new engine to model one.
 */
export class MemoryRoomStore implements RoomStore {
  readonly data = new Map<string, string>()
  writes = 0

  load(): LoadedRoom {
    const get = (key: string): unknown => {
      const text = this.data.get(key)
      return text === undefined ? undefined : JSON.parse(text)
    }
    const prefixed = (prefix: string) =>
      [...this.data.entries()].filter(([k]) => k.startsWith(prefix)).map(([, v]) => JSON.parse(v) as unknown)
    return { head: get('head'), meta: get('meta'), chat: prefixed('chat:'), dms: prefixed('dm:') }
  }

  write(batch: StoreBatch): void {
    this.writes++
    if (batch.reset) this.data.clear()
    this.data.set('head', JSON.stringify(batch.head))
    if (batch.meta) this.data.set('meta', JSON.stringify(batch.meta))
    for (const { key, message } of batch.chat ?? []) this.data.set(key, JSON.stringify(message))
    for (const { key, message } of batch.dms ?? []) this.data.set(key, JSON.stringify(message))
  }

  deleteAll(): void {
    this.data.clear()
  }
}
