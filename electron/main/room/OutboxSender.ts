import { randomUUID } from 'node:crypto'
import { AppError } from '../../../shared/errors/AppError'
import { ChatText, type RoomErrorCode } from '../../../shared/room/protocol'
import { TokenBucket } from '../../../shared/util/tokenBucket'
import type { ChatStatus } from './events'
import type { OutboxEntry, OutboxStore } from './OutboxStore'

/** At most this many messages wait in one room's outbox; more is refused so a dead link cannot grow it forever. */
const MAX_PENDING = 1000

export interface OutboxSenderDeps {
  readonly outbox: OutboxStore
  readonly key: string
  readonly now: () => number
  readonly after: (ms: number, fn: () => void) => () => void
  /** Chat frames per second at most (burst twice that). */
  readonly ratePerSecond: number
  /** Whether the socket is joined and may carry chat now. */
  readonly canSend: () => boolean
  readonly send: (entry: OutboxEntry) => void
  readonly status: (status: ChatStatus) => void
}

/**
 * The chat half of the room client: every message is written to the outbox file before anything else, sent when
 * joined, paced below the room's rate limit (flushing a long outbox after a reconnect must not trip it and get
 * the connection closed as abusive), resent on every new connection until acked, and dropped only when the room
 * acknowledges it or refuses it for good.
 */
export class OutboxSender {
  /** Ids already sent on the current socket; cleared on every welcome, so everything goes out again. */
  private readonly sentHere = new Set<string>()
  private readonly bucket: TokenBucket
  private timer: (() => void) | null = null

  constructor(private readonly deps: OutboxSenderDeps) {
    this.bucket = new TokenBucket(deps.ratePerSecond, deps.ratePerSecond * 2, deps.now)
  }

  get pending(): readonly OutboxEntry[] {
    return this.deps.outbox.pending(this.deps.key)
  }

  /** Persist a new message and send it when possible. Returns its id (the room's dedupe key). */
  enqueue(text: string, to?: string): string {
    const checked = ChatText.safeParse(text)
    if (!checked.success) throw AppError.invalidRequest('A chat message has 1 to 4000 characters.')
    if (this.pending.length >= MAX_PENDING) {
      throw new AppError({
        code: 'rate_limited',
        message: 'Too many messages are waiting to be sent. Wait for the connection to come back.',
        retryable: true,
      })
    }
    const entry = { id: randomUUID(), text: checked.data, ...(to ? { to } : {}), queuedAt: this.deps.now() }
    this.deps.outbox.add(this.deps.key, entry)
    this.flush()
    return entry.id
  }

  /** A new socket was welcomed: send everything unacknowledged again, oldest first. */
  reconnected(): void {
    this.sentHere.clear()
    this.stop()
    this.flush()
  }

  /** Spend from the same budget for a user action; never blocks it (they are rare). */
  spend(): void {
    this.bucket.take()
  }

  acked(id: string, seq: number | undefined): void {
    if (!this.deps.outbox.remove(this.deps.key, id)) return
    this.sentHere.delete(id)
    this.deps.status({ id, state: 'acked', ...(seq !== undefined ? { seq } : {}) })
  }

  /** The room refused message `id`. True when it was one of ours. */
  refused(id: string, code: RoomErrorCode, message: string): boolean {
    if (!this.pending.some((e) => e.id === id)) return false
    if (code === 'rate_limited' || code === 'not_joined') {
      // Keep it: it goes out again in a moment, or after the next welcome.
      this.sentHere.delete(id)
      this.flush(1000)
      return true
    }
    this.deps.outbox.remove(this.deps.key, id)
    this.sentHere.delete(id)
    this.deps.status({ id, state: 'failed', code, message })
    return true
  }

  /** Give up on everything pending (leaving for good). */
  abandon(reason: string): void {
    for (const entry of this.pending)
      this.deps.status({ id: entry.id, state: 'failed', code: 'closed', message: reason })
    this.deps.outbox.clear(this.deps.key)
    this.sentHere.clear()
  }

  stop(): void {
    this.timer?.()
    this.timer = null
  }

  /** Send entries not yet sent on this socket as fast as the budget allows; `delayMs` waits first. */
  private flush(delayMs = 0): void {
    if (!this.deps.canSend() || this.timer) return
    if (delayMs > 0) {
      this.timer = this.deps.after(delayMs, () => {
        this.timer = null
        this.flush()
      })
      return
    }
    for (const entry of this.pending) {
      if (this.sentHere.has(entry.id)) continue
      if (!this.bucket.take()) {
        this.flush(Math.max(1, this.bucket.msUntilAvailable()))
        return
      }
      this.sentHere.add(entry.id)
      this.deps.send(entry)
    }
  }
}
