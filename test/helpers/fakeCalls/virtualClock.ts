import type { Clock } from '../../../electron/main/calls/retry'

/**
 * A clock whose time moves only when something sleeps: `sleep(ms)` advances `now` by `ms` at once. Retry and
 * rate-limit logic can then be checked in virtual seconds without waiting and without timing assertions.
 */
export function virtualClock(start = 1_000_000) {
  let now = start
  const sleeps: number[] = []
  const clock: Clock = {
    now: () => now,
    sleep: async (ms, signal) => {
      if (signal?.aborted) throw signal.reason
      sleeps.push(ms)
      now += ms
      await Promise.resolve()
      if (signal?.aborted) throw signal.reason
    },
  }
  return {
    clock,
    sleeps,
    advance: (ms: number) => void (now += ms),
    get now() {
      return now
    },
  }
}
