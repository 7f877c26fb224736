import { TokenBucket } from '../../../shared/util/tokenBucket'
import type { Clock } from './retry'

export interface BucketConfig {
  /** Tokens added per second. */
  readonly ratePerSecond: number
  /** Tokens the bucket holds when full (the burst). */
  readonly burst: number
}

export interface RateLimits {
  /**
   * Per Calls session. Calls allows 50 requests/s per session; a bucket lets through at most `burst + rate` in
   * any one second, so the default (40/s, burst 10) never exceeds 50.
   */
  readonly perSession: BucketConfig
  /** Across the whole app (every session, TURN): Calls has no per-app limit, this stops a runaway loop. */
  readonly perApp: BucketConfig
}

export const DEFAULT_RATE_LIMITS: RateLimits = {
  perSession: { ratePerSecond: 40, burst: 10 },
  perApp: { ratePerSecond: 200, burst: 50 },
}

/** Thrown by `acquire` when the wait would run past the caller's deadline. */
export class RateLimitWaitTooLong extends Error {
  override readonly name = 'RateLimitWaitTooLong'
  constructor(readonly waitMs: number) {
    super(`a request token would take ${waitMs} ms`)
  }
}

const IDLE_PRUNE_MS = 60_000
const PRUNE_ABOVE = 256

/** Token buckets per session and per app. Every HTTP attempt takes one token from each that applies. */
export class RateLimiter {
  private readonly app: TokenBucket
  private readonly sessions = new Map<string, { bucket: TokenBucket; lastUsed: number }>()

  constructor(
    private readonly limits: RateLimits,
    private readonly clock: Clock,
  ) {
    this.app = new TokenBucket(limits.perApp.ratePerSecond, limits.perApp.burst, () => clock.now())
  }

  /**
   * Wait until a token is free in the app bucket and, when `sessionId` is given, in that session's bucket; then
   * take them. Rejects with `RateLimitWaitTooLong` when the wait would end after `deadlineAt` (epoch ms), or with
   * the signal's reason when it aborts.
   */
  async acquire(sessionId: string | undefined, deadlineAt: number, signal?: AbortSignal): Promise<void> {
    const session = sessionId === undefined ? undefined : this.sessionBucket(sessionId)
    for (;;) {
      if (signal?.aborted) throw signal.reason
      const wait = Math.max(this.app.msUntilAvailable(), session?.msUntilAvailable() ?? 0)
      if (wait === 0) {
        // Both have a token now (msUntilAvailable just refilled them), so both takes succeed.
        this.app.take()
        session?.take()
        return
      }
      if (this.clock.now() + wait > deadlineAt) throw new RateLimitWaitTooLong(wait)
      await this.clock.sleep(wait, signal)
    }
  }

  /** Drop a session's bucket (the session ended). */
  forget(sessionId: string): void {
    this.sessions.delete(sessionId)
  }

  private sessionBucket(sessionId: string): TokenBucket {
    const now = this.clock.now()
    let entry = this.sessions.get(sessionId)
    if (!entry) {
      if (this.sessions.size >= PRUNE_ABOVE) this.prune(now)
      const { ratePerSecond, burst } = this.limits.perSession
      entry = { bucket: new TokenBucket(ratePerSecond, burst, () => this.clock.now()), lastUsed: now }
      this.sessions.set(sessionId, entry)
    }
    entry.lastUsed = now
    return entry.bucket
  }

  /** An idle bucket has refilled completely, so dropping it changes nothing. */
  private prune(now: number): void {
    for (const [id, entry] of this.sessions) {
      if (now - entry.lastUsed > IDLE_PRUNE_MS) this.sessions.delete(id)
    }
  }
}
