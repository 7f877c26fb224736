import type { AiFailureReason } from './schemas'

/**
 * When to retry a failed AI request. Only failures before the first token are retried (a retry after text has
 * been shown would repeat it), and only the kinds a retry can fix. The SDK's own retries are turned off so that
 * every wait is visible in the panel ("retrying in 2 s") and can be cancelled.
 */
export interface RetryPolicy {
  /** Retries after the first attempt. */
  readonly maxRetries: number
  /** First backoff step without a Retry-After header, in ms; doubled per retry, with jitter. */
  readonly baseDelayMs: number
  /** Upper bound of one computed backoff step, in ms. */
  readonly maxDelayMs: number
  /**
   * Longest Retry-After we are willing to wait for, in ms. A server asking for longer gets no retry: the user is
   * told when to try again instead of watching a spinner.
   */
  readonly maxWaitMs: number
}

export const defaultRetryPolicy: RetryPolicy = {
  maxRetries: 2,
  baseDelayMs: 500,
  maxDelayMs: 4000,
  maxWaitMs: 30_000,
}

/** Headers of a failed response, as far as retry timing goes. */
export interface RetryHeaders {
  get(name: string): string | null
}

/**
 * The server's requested wait in ms, from `retry-after-ms` (OpenAI's extension), or `Retry-After` as seconds or
 * an HTTP date (RFC 9110 §10.2.3). Null when absent or unreadable; never negative.
 */
export function parseRetryAfter(headers: RetryHeaders | undefined, nowMs: number): number | null {
  if (!headers) return null
  const ms = headers.get('retry-after-ms')
  if (ms !== null && ms.trim() !== '') {
    const value = Number(ms)
    if (Number.isFinite(value) && value >= 0) return Math.round(value)
  }
  const raw = headers.get('retry-after')?.trim()
  if (!raw) return null
  if (/^\d+(\.\d+)?$/.test(raw)) return Math.round(Number(raw) * 1000)
  const date = Date.parse(raw)
  if (Number.isNaN(date)) return null
  return Math.max(0, date - nowMs)
}

// Not `timeout`: the user has already waited the whole timeout once; they decide whether to wait again.
const RETRYABLE: ReadonlySet<AiFailureReason> = new Set(['rate_limited', 'network', 'server'])

/**
 * The delay before retry number `retry` (0-based), or null to give up. `retryAfterMs` is the server's wish and
 * wins over our backoff when present.
 */
export function retryDelay(
  reason: AiFailureReason,
  retry: number,
  retryAfterMs: number | null,
  policy: RetryPolicy = defaultRetryPolicy,
  random: () => number = Math.random,
): number | null {
  if (!RETRYABLE.has(reason) || retry >= policy.maxRetries) return null
  if (retryAfterMs !== null) return retryAfterMs <= policy.maxWaitMs ? retryAfterMs : null
  const step = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** retry)
  // Full jitter on the upper half: spreads retries of many clients without ever retrying instantly.
  return Math.round(step * (0.5 + random() / 2))
}

/** "45 s", "2 min", "1 h": how long to wait, for messages. Rounds up so "try again in" is never too early. */
export function humanWait(ms: number): string {
  const s = Math.max(1, Math.ceil(ms / 1000))
  if (s < 90) return `${s} s`
  const min = Math.ceil(s / 60)
  if (min < 90) return `${min} min`
  return `${Math.ceil(min / 60)} h`
}
