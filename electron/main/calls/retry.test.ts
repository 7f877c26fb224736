import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { createLogger } from '../../../shared/log/logger'
import { Redactor } from '../../../shared/log/redact'
import { NewSessionResponse } from '../../../shared/calls/schemas'
import { virtualClock } from '../../../test/helpers/fakeCalls/virtualClock'
import { ApiExecutor } from './ApiExecutor'
import { ApiHistory } from './ApiHistory'
import { CallsError } from './errors'
import { RateLimiter } from './RateLimiter'
import { backoffDelay, DEFAULT_RETRY_POLICY, parseRetryAfter, shouldRetry, type RetryPolicy } from './retry'

const ctx = { operation: 'op' }

describe('backoff', () => {
  it('grows exponentially, stays within [ceiling/2, ceiling] and is capped', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 30 }),
        fc.double({ min: 0, max: 0.9999999, noNaN: true }),
        (n, r) => {
          const ceiling = Math.min(
            DEFAULT_RETRY_POLICY.maxDelayMs,
            DEFAULT_RETRY_POLICY.baseDelayMs * 2 ** (n - 1),
          )
          const d = backoffDelay(n, DEFAULT_RETRY_POLICY, () => r)
          expect(d).toBeGreaterThanOrEqual(Math.floor(ceiling / 2))
          expect(d).toBeLessThanOrEqual(ceiling)
        },
      ),
    )
    expect(backoffDelay(1, DEFAULT_RETRY_POLICY, () => 0.999)).toBeLessThan(
      backoffDelay(3, DEFAULT_RETRY_POLICY, () => 0),
    )
  })
})

describe('parseRetryAfter', () => {
  it('reads delta seconds and HTTP dates, ignores garbage', () => {
    const now = Date.parse('2026-01-01T00:00:00Z')
    expect(parseRetryAfter('0', now)).toBe(0)
    expect(parseRetryAfter(' 2 ', now)).toBe(2000)
    expect(parseRetryAfter('1.5', now)).toBe(1500)
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:03 GMT', now)).toBe(3000)
    expect(parseRetryAfter('Wed, 31 Dec 2025 23:00:00 GMT', now)).toBe(0)
    for (const bad of [null, undefined, '', 'soon', '-1', '1e3'])
      expect(parseRetryAfter(bad, now)).toBeUndefined()
  })
})

describe('shouldRetry', () => {
  it('retries unsafe operations only when the server certainly did not act', () => {
    const refused = CallsError.network(ctx, { sent: false })
    const reset = CallsError.network(ctx, { sent: true })
    const limited = CallsError.fromStatus(ctx, 429, { retryAfterMs: 10 })
    const unavailable = CallsError.fromStatus(ctx, 503)
    const slow = CallsError.timeout(ctx, 'attempt_timeout', 10, 'maybe')
    const bad = CallsError.badReply(ctx, 200, 'not JSON')
    const gone = CallsError.fromStatus(ctx, 410)
    const deadline = CallsError.timeout(ctx, 'deadline', 10, 'no')
    const aborted = CallsError.aborted(ctx, 'no')
    const tls = CallsError.network(ctx, { sent: false, persistent: true })
    const table = [
      [refused, true, true],
      [limited, true, true],
      [reset, false, true],
      [unavailable, false, true],
      [slow, false, true],
      [bad, false, true],
      [gone, false, false],
      [deadline, false, false],
      [aborted, false, false],
      [tls, false, false],
    ] as const
    for (const [error, unsafe, idempotent] of table) {
      expect([error.reason, shouldRetry(error, 'unsafe'), shouldRetry(error, 'idempotent')]).toEqual([
        error.reason,
        unsafe,
        idempotent,
      ])
    }
  })
})

describe('ApiExecutor retry loop (virtual time, stub fetch)', () => {
  function setup(replies: Array<() => Response | Promise<Response>>, policy: Partial<RetryPolicy> = {}) {
    const time = virtualClock()
    const calls: string[] = []
    const executor = new ApiExecutor({
      policy: { ...DEFAULT_RETRY_POLICY, ...policy },
      limiter: new RateLimiter(
        { perSession: { ratePerSecond: 40, burst: 10 }, perApp: { ratePerSecond: 1000, burst: 100 } },
        time.clock,
      ),
      clock: time.clock,
      random: () => 0.5,
      fetch: async (input) => {
        calls.push(String(input))
        const next = replies[Math.min(calls.length - 1, replies.length - 1)]!
        return next()
      },
      log: createLogger('t', [], new Redactor()),
      history: new ApiHistory(50, new Redactor()),
      maxReplyBytes: 1024,
    })
    const run = (safety: 'unsafe' | 'idempotent') => {
      const scope = executor.scope()
      return executor
        .run(
          () => ({ kind: 'local', baseUrl: 'http://127.0.0.1:1/v1/apps/local', auth: { type: 'none' } }),
          {
            operation: 'sessions/new',
            method: 'POST',
            path: '/sessions/new',
            safety,
            reply: { schema: NewSessionResponse },
          },
          scope,
        )
        .finally(() => scope.dispose())
    }
    return { time, calls, run }
  }
  const ok = () => new Response('{"sessionId":"abc"}', { status: 201 })
  const unavailable = () => new Response('{}', { status: 503 })

  it('retries an idempotent call up to maxAttempts, with growing delays', async () => {
    const { time, calls, run } = setup([unavailable])
    await expect(run('idempotent')).rejects.toMatchObject({ code: 'server', status: 503 })
    expect(calls).toHaveLength(DEFAULT_RETRY_POLICY.maxAttempts)
    expect(time.sleeps).toEqual([188, 375, 750])
  })

  it('stops retrying when the next delay would pass the deadline', async () => {
    const { calls, run } = setup([unavailable], { deadlineMs: 500, maxAttempts: 10 })
    await expect(run('idempotent')).rejects.toMatchObject({ code: 'server' })
    expect(calls).toHaveLength(2)
  })

  it('waits for Retry-After on 429 (even for an unsafe call) and succeeds', async () => {
    const limited = () => new Response('{}', { status: 429, headers: { 'retry-after': '3' } })
    const { time, calls, run } = setup([limited, ok])
    await expect(run('unsafe')).resolves.toEqual({ sessionId: 'abc' })
    expect(calls).toHaveLength(2)
    expect(time.sleeps).toEqual([3000])
  })

  it('does not repeat an unsafe call after a 503 or an unreadable 2xx', async () => {
    for (const first of [unavailable, () => new Response('{"sessionId":', { status: 201 })]) {
      const { calls, run } = setup([first, ok])
      await expect(run('unsafe')).rejects.toBeInstanceOf(CallsError)
      expect(calls).toHaveLength(1)
    }
  })

  it('refuses replies above the size cap without buffering them', async () => {
    const { run } = setup([() => new Response('x'.repeat(5000), { status: 200 })])
    await expect(run('unsafe')).rejects.toMatchObject({ reason: 'bad_reply' })
  })
})
