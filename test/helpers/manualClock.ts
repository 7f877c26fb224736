import type { Clock } from '../../electron/main/updater/UpdateService'

/** A clock the test moves by hand: timers fire only inside `advance`, in order of their due time. */
export interface ManualClock extends Clock {
  advance(ms: number): void
  /** Due times of the timers still armed. */
  pending(): number[]
}

export function manualClock(start = Date.UTC(2026, 0, 1)): ManualClock {
  let now = start
  let nextId = 0
  const timers = new Map<number, { at: number; fn: () => void }>()
  return {
    now: () => now,
    after(ms, fn) {
      const id = nextId++
      timers.set(id, { at: now + Math.max(0, ms), fn })
      return () => void timers.delete(id)
    },
    advance(ms) {
      const end = now + ms
      for (;;) {
        const due = [...timers.entries()].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at)[0]
        if (!due) break
        timers.delete(due[0])
        now = Math.max(now, due[1].at)
        due[1].fn()
      }
      now = end
    },
    pending: () => [...timers.values()].map((t) => t.at).sort((a, b) => a - b),
  }
}
