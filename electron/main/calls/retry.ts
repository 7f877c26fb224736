import type { CallsError } from './errors'

/** Time, injectable so tests can run backoff without waiting. */
export interface Clock {
  /** Epoch milliseconds. */
  now(): number
  /** Resolves after `ms`, or rejects with `signal.reason` as soon as the signal aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>
}

export const realClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason)
      const onAbort = () => {
        clearTimeout(timer)
        reject(signal?.reason)
      }
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort)
        resolve()
      }, ms)
      signal?.addEventListener('abort', onAbort, { once: true })
    }),
}

export interface RetryPolicy {
  /** Attempts in total, the first one included. */
  readonly maxAttempts: number
  /** Backoff before retry n (1-based) is drawn from [½, 1] × min(maxDelayMs, baseDelayMs × 2^(n-1)). */
  readonly baseDelayMs: number
  readonly maxDelayMs: number
  /** Upper bound for one HTTP attempt, headers and body included. */
  readonly attemptTimeoutMs: number
  /**
   * Upper bound for the whole operation: waiting in the session queue, waiting for a rate-limit token, every
   * attempt and every backoff. Keep it below the IPC channel's timeout so the renderer hears the real outcome.
   */
  readonly deadlineMs: number
  /** A `Retry-After` longer than this is not waited for; the error goes to the caller instead. */
  readonly maxRetryAfterMs: number
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 4,
  baseDelayMs: 250,
  maxDelayMs: 4_000,
  attemptTimeoutMs: 8_000,
  deadlineMs: 15_000,
  maxRetryAfterMs: 10_000,
}

/**
 * Whether an operation may be sent twice. `idempotent`: repeating it leaves the same state (GET session, TURN
 * generate, a forced close, an update without SDP, adapter close). `unsafe`: a second copy would act again or
 * conflict with the first (a new session, tracks/new with an offer, renegotiate): retried only when the server
 * certainly did not act on the first copy.
 */
export type Safety = 'idempotent' | 'unsafe'

/** Exponential backoff with jitter for retry number `retry` (1 for the first retry). */
export function backoffDelay(retry: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, retry - 1))
  // "Equal jitter": never less than half the ceiling (keeps the backoff meaningful), spread over the rest.
  return Math.round(ceiling / 2 + (random() * ceiling) / 2)
}

/**
 * Parse `Retry-After` (delta seconds or an HTTP date) into milliseconds from `nowMs`. Returns undefined for a
 * missing or unreadable header; negative results become 0.
 */
export function parseRetryAfter(value: string | null | undefined, nowMs: number): number | undefined {
  if (value === null || value === undefined) return undefined
  const trimmed = value.trim()
  if (trimmed === '') return undefined
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000)
  // Only an HTTP date (it names a day or month); Date.parse would also read '-1' as a year.
  if (!/[A-Za-z]{3}/.test(trimmed)) return undefined
  const date = Date.parse(trimmed)
  if (Number.isNaN(date)) return undefined
  return Math.max(0, date - nowMs)
}

/**
 * The retry rule, in one place:
 * - never after the caller aborted or the deadline passed, nor for a failure that repeating cannot fix;
 * - always when the server certainly did not act (`applied: 'no'`: connection refused, 429, 425, local limit);
 * - otherwise (5xx, reset after sending, attempt timeout, unreadable reply) only for idempotent operations.
 */
export function shouldRetry(error: CallsError, safety: Safety): boolean {
  if (error.reason === 'aborted' || error.reason === 'deadline') return false
  if (!error.retryable) return false
  if (error.applied === 'no') return true
  return safety === 'idempotent'
}

/** How long to wait before retry `retry`: the backoff, but never less than what `Retry-After` asked for. */
export function retryDelay(
  error: CallsError,
  retry: number,
  policy: RetryPolicy,
  random: () => number = Math.random,
): number {
  const backoff = backoffDelay(retry, policy, random)
  return error.retryAfterMs === undefined ? backoff : Math.max(backoff, error.retryAfterMs)
}
