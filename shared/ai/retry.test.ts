import { describe, expect, it } from 'vitest'
import { defaultRetryPolicy, humanWait, parseRetryAfter, retryDelay } from './retry'

const headers = (h: Record<string, string>) => ({ get: (name: string) => h[name.toLowerCase()] ?? null })
const NOW = Date.parse('2026-03-04T10:00:00Z')

describe('Retry-After', () => {
  it('reads seconds, milliseconds and HTTP dates', () => {
    expect(parseRetryAfter(headers({ 'retry-after': '2' }), NOW)).toBe(2000)
    expect(parseRetryAfter(headers({ 'retry-after': '0.5' }), NOW)).toBe(500)
    expect(parseRetryAfter(headers({ 'retry-after-ms': '1234', 'retry-after': '9' }), NOW)).toBe(1234)
    expect(parseRetryAfter(headers({ 'retry-after': 'Wed, 04 Mar 2026 10:00:07 GMT' }), NOW)).toBe(7000)
    expect(parseRetryAfter(headers({ 'retry-after': 'Wed, 04 Mar 2026 09:00:00 GMT' }), NOW)).toBe(0)
  })
  it('ignores missing or unreadable values', () => {
    expect(parseRetryAfter(undefined, NOW)).toBeNull()
    expect(parseRetryAfter(headers({}), NOW)).toBeNull()
    expect(parseRetryAfter(headers({ 'retry-after': 'soon' }), NOW)).toBeNull()
    expect(parseRetryAfter(headers({ 'retry-after-ms': '-5' }), NOW)).toBeNull()
  })
})

describe('retry policy', () => {
  it('honours the server wait when it is short enough', () => {
    expect(retryDelay('rate_limited', 0, 3000)).toBe(3000)
    expect(retryDelay('rate_limited', 1, 0)).toBe(0)
  })
  it('gives up at once when the server asks for longer than we wait', () => {
    expect(retryDelay('rate_limited', 0, defaultRetryPolicy.maxWaitMs + 1)).toBeNull()
  })
  it('backs off exponentially with jitter without a header, and stops after maxRetries', () => {
    expect(retryDelay('network', 0, null, defaultRetryPolicy, () => 0)).toBe(250)
    expect(retryDelay('network', 0, null, defaultRetryPolicy, () => 1)).toBe(500)
    expect(retryDelay('server', 1, null, defaultRetryPolicy, () => 1)).toBe(1000)
    expect(retryDelay('server', 2, null, defaultRetryPolicy, () => 1)).toBeNull()
  })
  it('never retries what a retry cannot fix', () => {
    for (const reason of [
      'unauthorized',
      'no_key',
      'bad_request',
      'stream_cut',
      'cancelled',
      'timeout',
    ] as const) {
      expect(retryDelay(reason, 0, 1000)).toBeNull()
    }
  })
  it('words waits for people, rounding up', () => {
    expect(humanWait(1)).toBe('1 s')
    expect(humanWait(1500)).toBe('2 s')
    expect(humanWait(120_000)).toBe('2 min')
    expect(humanWait(3 * 3_600_000)).toBe('3 h')
  })
})
