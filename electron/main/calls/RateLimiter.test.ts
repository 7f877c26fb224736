import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { virtualClock } from '../../../test/helpers/fakeCalls/virtualClock'
import { DEFAULT_RATE_LIMITS, RateLimiter, RateLimitWaitTooLong } from './RateLimiter'

const FAR = Number.MAX_SAFE_INTEGER

describe('RateLimiter', () => {
  it('never lets more than 50 requests of one session through in any one-second window (Calls limit)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.oneof({ arbitrary: fc.constant(0), weight: 4 }, { arbitrary: fc.nat({ max: 60 }), weight: 1 }),
          {
            minLength: 60,
            maxLength: 300,
          },
        ),
        async (gaps) => {
          const time = virtualClock()
          const limiter = new RateLimiter(DEFAULT_RATE_LIMITS, time.clock)
          const taken: number[] = []
          for (const gap of gaps) {
            time.advance(gap)
            await limiter.acquire('s', FAR)
            taken.push(time.now)
          }
          for (let i = 0; i < taken.length; i++) {
            const inWindow = taken.filter((t) => t >= taken[i]! && t < taken[i]! + 1000).length
            expect(inWindow).toBeLessThanOrEqual(50)
          }
        },
      ),
      { numRuns: 60, seed: 11 },
    )
  })

  it('keeps sessions apart: a busy session does not slow another', async () => {
    const time = virtualClock()
    const limiter = new RateLimiter(DEFAULT_RATE_LIMITS, time.clock)
    for (let i = 0; i < 30; i++) await limiter.acquire('busy', FAR)
    const sleptBefore = time.sleeps.length
    await limiter.acquire('quiet', FAR)
    expect(time.sleeps.length).toBe(sleptBefore)
  })

  it('applies the app bucket across sessions', async () => {
    const time = virtualClock()
    const limiter = new RateLimiter(
      { perSession: { ratePerSecond: 100, burst: 100 }, perApp: { ratePerSecond: 10, burst: 5 } },
      time.clock,
    )
    for (let i = 0; i < 5; i++) await limiter.acquire(`s${i}`, FAR)
    expect(time.sleeps).toEqual([])
    await limiter.acquire('s9', FAR)
    expect(time.sleeps).toEqual([100])
  })

  it('refuses a wait that would end after the deadline, and honours abort', async () => {
    const time = virtualClock()
    const limiter = new RateLimiter(
      { perSession: { ratePerSecond: 1, burst: 1 }, perApp: { ratePerSecond: 100, burst: 100 } },
      time.clock,
    )
    await limiter.acquire('s', FAR)
    await expect(limiter.acquire('s', time.now + 500)).rejects.toBeInstanceOf(RateLimitWaitTooLong)
    const controller = new AbortController()
    controller.abort(new Error('stop'))
    await expect(limiter.acquire('s', FAR, controller.signal)).rejects.toThrow('stop')
  })
})
