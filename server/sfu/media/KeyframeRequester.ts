export interface Timers {
  readonly now: () => number
  readonly setTimeout: (fn: () => void, ms: number) => unknown
  readonly clearTimeout: (handle: unknown) => void
}

export const realTimers: Timers = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
}

/**
 * Keyframe requests (PLI) toward one publisher stream, spaced at least `minIntervalMs` apart. Chromium ignores a
 * request that comes sooner than about 300 ms after the previous one (libwebrtc's minimum keyframe-request
 * interval), so a burst of subscribers joining must not produce a burst of PLIs: a request inside the interval
 * is deferred to its end, not dropped, and skipped if a keyframe arrived in the meantime.
 */
export class KeyframeRequester {
  private lastSentAt = Number.NEGATIVE_INFINITY
  private lastKeyframeAt = Number.NEGATIVE_INFINITY
  private deferredSince: number | undefined
  private timer: unknown
  private disposed = false
  /** PLIs actually sent (for stats and tests). */
  sent = 0

  constructor(
    private readonly send: () => void,
    private readonly minIntervalMs = 320,
    private readonly timers: Timers = realTimers,
  ) {}

  request(): void {
    if (this.disposed || this.timer !== undefined) return
    const now = this.timers.now()
    const wait = this.lastSentAt + this.minIntervalMs - now
    if (wait <= 0) {
      this.fire(now)
      return
    }
    this.deferredSince = now
    this.timer = this.timers.setTimeout(() => {
      this.timer = undefined
      const since = this.deferredSince ?? 0
      this.deferredSince = undefined
      if (this.disposed || this.lastKeyframeAt > since) return
      this.fire(this.timers.now())
    }, wait)
  }

  keyframeArrived(): void {
    this.lastKeyframeAt = this.timers.now()
  }

  dispose(): void {
    this.disposed = true
    if (this.timer !== undefined) this.timers.clearTimeout(this.timer)
    this.timer = undefined
  }

  private fire(now: number): void {
    this.lastSentAt = now
    this.sent++
    this.send()
  }
}
