/**
 * A token bucket: `capacity` tokens, refilled continuously at `ratePerSecond`. `take()` is non-blocking and says
 * whether a token was available; `msUntilAvailable()` says how long a waiter should sleep.
 */
export class TokenBucket {
  private tokens: number
  private last: number

  constructor(
    private readonly ratePerSecond: number,
    private readonly capacity: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.tokens = capacity
    this.last = now()
  }

  private refill(): void {
    const t = this.now()
    this.tokens = Math.min(this.capacity, this.tokens + ((t - this.last) / 1000) * this.ratePerSecond)
    this.last = t
  }

  take(count = 1): boolean {
    this.refill()
    if (this.tokens < count) return false
    this.tokens -= count
    return true
  }

  msUntilAvailable(count = 1): number {
    this.refill()
    return this.tokens >= count ? 0 : Math.ceil(((count - this.tokens) / this.ratePerSecond) * 1000)
  }
}
