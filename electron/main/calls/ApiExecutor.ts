import type { z } from 'zod'
import type { Logger } from '../../../shared/log/logger'
import type { ApiHistory } from './ApiHistory'
import { CallsError, type Applied, type CallsErrorContext } from './errors'
import { RateLimitWaitTooLong, type RateLimiter } from './RateLimiter'
import { interpretReply, type Reply, type ReplySpec } from './replies'
import { retryDelay, shouldRetry, type Clock, type RetryPolicy, type Safety } from './retry'
import { TargetUnavailableError, type AuthStrategy, type Endpoint } from './targets'

export interface ExecutorDeps {
  readonly policy: RetryPolicy
  readonly limiter: RateLimiter
  readonly clock: Clock
  /** [0, 1), for backoff jitter. */
  readonly random: () => number
  /** The global `fetch` (Node's undici) unless a test wraps it. */
  readonly fetch: typeof fetch
  readonly log: Logger
  readonly history: ApiHistory
  /** Replies longer than this are refused as unreadable instead of being buffered. */
  readonly maxReplyBytes: number
}

export interface RequestSpec<S extends z.ZodType> {
  /** A short name for logs, errors and the history, e.g. `tracks/new`. */
  readonly operation: string
  readonly method: 'GET' | 'POST' | 'PUT'
  /** Below the endpoint's base URL, already escaped, e.g. `/sessions/abc/tracks/new`. */
  readonly path: string
  readonly query?: Readonly<Record<string, string>>
  /** JSON body; omitted when undefined. */
  readonly body?: unknown
  /** Selects the per-session token bucket and goes into error context. */
  readonly sessionId?: string
  readonly safety: Safety
  readonly reply: ReplySpec<S>
}

/**
 * The time budget of one operation: aborts when the caller's signal does or when the deadline passes, whichever
 * is first. Create one per operation, pass its `signal` to everything that waits, and `dispose()` it at the end.
 */
export class OperationScope {
  readonly signal: AbortSignal
  readonly deadlineAt: number
  private readonly deadline = new AbortController()
  private readonly timer: ReturnType<typeof setTimeout>

  constructor(
    private readonly deadlineMs: number,
    clock: Clock,
    private readonly caller?: AbortSignal,
  ) {
    this.deadlineAt = clock.now() + deadlineMs
    this.timer = setTimeout(() => this.deadline.abort(new Error('deadline passed')), deadlineMs)
    this.signal = caller ? AbortSignal.any([caller, this.deadline.signal]) : this.deadline.signal
  }

  dispose(): void {
    clearTimeout(this.timer)
  }

  /** The error for "this scope's signal fired": a deadline timeout, or the caller's cancellation. */
  abortError(context: CallsErrorContext, applied: Applied): CallsError {
    return this.caller?.aborted
      ? CallsError.aborted(context, applied)
      : CallsError.timeout(context, 'deadline', this.deadlineMs, applied)
  }
}

/**
 * Sends one API operation: rate limiting, a timeout per attempt, retries under the safety rule of `retry.ts`,
 * the history record and a debug log line for every attempt. Credentials exist only in the headers built in
 * `attempt`; nothing else in this module sees them.
 */
export class ApiExecutor {
  constructor(private readonly deps: ExecutorDeps) {}

  /** Drop a finished session's rate-limit bucket. */
  forgetSession(sessionId: string): void {
    this.deps.limiter.forget(sessionId)
  }

  scope(signal?: AbortSignal): OperationScope {
    return new OperationScope(this.deps.policy.deadlineMs, this.deps.clock, signal)
  }

  async run<S extends z.ZodType>(
    resolve: () => Endpoint | Promise<Endpoint>,
    spec: RequestSpec<S>,
    scope: OperationScope,
  ): Promise<z.output<S>> {
    const { policy, clock, random, log } = this.deps
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.attempt(resolve, spec, attempt, scope)
      } catch (thrown) {
        const error = thrown as CallsError
        if (attempt >= policy.maxAttempts || !shouldRetry(error, spec.safety)) throw error
        if (error.retryAfterMs !== undefined && error.retryAfterMs > policy.maxRetryAfterMs) throw error
        const delay = retryDelay(error, attempt, policy, random)
        if (clock.now() + delay >= scope.deadlineAt) throw error
        log.warn('calls request failed; retrying', {
          operation: spec.operation,
          sessionId: spec.sessionId,
          attempt,
          code: error.code,
          reason: error.reason,
          status: error.status,
          delayMs: delay,
        })
        try {
          await clock.sleep(delay, scope.signal)
        } catch {
          throw scope.abortError(error.context, error.applied)
        }
      }
    }
  }

  private async attempt<S extends z.ZodType>(
    resolve: () => Endpoint | Promise<Endpoint>,
    spec: RequestSpec<S>,
    attempt: number,
    scope: OperationScope,
  ): Promise<z.output<S>> {
    const { clock, policy } = this.deps
    const base: CallsErrorContext = {
      operation: spec.operation,
      attempt,
      ...(spec.sessionId !== undefined ? { sessionId: spec.sessionId } : {}),
    }
    if (scope.signal.aborted) throw scope.abortError(base, 'no')
    const endpoint = await resolveEndpoint(resolve, base)
    const context: CallsErrorContext = { ...base, target: endpoint.kind }
    try {
      await this.deps.limiter.acquire(spec.sessionId, scope.deadlineAt, scope.signal)
    } catch (error) {
      if (error instanceof RateLimitWaitTooLong) throw CallsError.localRateLimit(context, error.waitMs)
      throw scope.abortError(context, 'no')
    }

    const body = spec.body === undefined ? undefined : JSON.stringify(spec.body)
    const attemptTimeout = new AbortController()
    const timer = setTimeout(
      () => attemptTimeout.abort(new Error('attempt timed out')),
      policy.attemptTimeoutMs,
    )
    const signal = AbortSignal.any([scope.signal, attemptTimeout.signal])
    const started = clock.now()
    let reply: Reply | undefined
    let failure: CallsError | undefined
    try {
      const response = await this.deps.fetch(buildUrl(endpoint.baseUrl, spec.path, spec.query), {
        method: spec.method,
        headers: headers(endpoint.auth, body !== undefined),
        ...(body !== undefined ? { body } : {}),
        signal,
        // Never follow: a redirect could carry the Authorization header to another host.
        redirect: 'manual',
      })
      const text = await readCapped(response, this.deps.maxReplyBytes)
      reply =
        text === undefined
          ? undefined
          : { status: response.status, retryAfter: response.headers.get('retry-after'), text }
      if (text === undefined) failure = CallsError.badReply(context, response.status, 'reply too large')
    } catch (error) {
      failure = transportError(error, context, scope, attemptTimeout.signal, policy.attemptTimeoutMs)
    } finally {
      clearTimeout(timer)
    }

    let value: z.output<S> | undefined
    if (reply) {
      try {
        value = interpretReply(spec.reply, reply, context, clock.now())
      } catch (error) {
        failure = error as CallsError
      }
    }
    this.record(endpoint, spec, attempt, started, reply, failure)
    if (failure) throw failure
    return value as z.output<S>
  }

  private record(
    endpoint: Endpoint,
    spec: RequestSpec<z.ZodType>,
    attempt: number,
    started: number,
    reply: Reply | undefined,
    failure: CallsError | undefined,
  ): void {
    const durationMs = this.deps.clock.now() - started
    const query = spec.query ? `?${new URLSearchParams(spec.query).toString()}` : ''
    this.deps.history.record({
      time: started,
      target: endpoint.kind,
      operation: spec.operation,
      method: spec.method,
      path: `${spec.path}${query}`,
      ...(spec.sessionId !== undefined ? { sessionId: spec.sessionId } : {}),
      attempt,
      durationMs,
      ...(reply ? { status: reply.status, response: replyForHistory(reply.text) } : {}),
      ...(spec.body !== undefined ? { request: spec.body } : {}),
      ...(failure ? { error: failure.toSummary() } : {}),
    })
    this.deps.log.debug('calls request', {
      operation: spec.operation,
      method: spec.method,
      target: endpoint.kind,
      sessionId: spec.sessionId,
      attempt,
      status: reply?.status,
      durationMs,
      ...(failure ? { code: failure.code, reason: failure.reason } : {}),
    })
  }
}

async function resolveEndpoint(
  resolve: () => Endpoint | Promise<Endpoint>,
  context: CallsErrorContext,
): Promise<Endpoint> {
  try {
    return await resolve()
  } catch (error) {
    throw resolutionError(error, context)
  }
}

/** A target resolver's failure as a `CallsError`: missing settings, or a backend that is not running yet. */
export function resolutionError(error: unknown, context: CallsErrorContext): CallsError {
  if (error instanceof CallsError) return error
  if (error instanceof TargetUnavailableError) {
    const ctx = { ...context, target: error.target }
    return error.kind === 'settings'
      ? CallsError.notConfigured(ctx, error.message)
      : CallsError.network(ctx, { sent: false, cause: error })
  }
  return CallsError.network(context, { sent: false, persistent: true, cause: error })
}

function buildUrl(
  baseUrl: string,
  path: string,
  query: Readonly<Record<string, string>> | undefined,
): string {
  const search = query && Object.keys(query).length > 0 ? `?${new URLSearchParams(query).toString()}` : ''
  return `${baseUrl}${path}${search}`
}

function headers(auth: AuthStrategy, hasBody: boolean): Record<string, string> {
  const out: Record<string, string> = { accept: 'application/json' }
  if (hasBody) out['content-type'] = 'application/json'
  if (auth.type === 'bearer') out.authorization = `Bearer ${auth.token}`
  return out
}

/** The body text, or undefined when it is longer than `max` bytes (then the rest is not read). */
async function readCapped(response: Response, max: number): Promise<string | undefined> {
  const declared = Number(response.headers.get('content-length') ?? '0')
  if (declared > max) {
    await response.body?.cancel().catch(() => undefined)
    return undefined
  }
  if (!response.body) return ''
  const reader = response.body.getReader()
  const chunks: Uint8Array[] = []
  let total = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    total += value.byteLength
    if (total > max) {
      await reader.cancel().catch(() => undefined)
      return undefined
    }
    chunks.push(value)
  }
  return Buffer.concat(chunks).toString('utf8')
}

/** Errors of the connection phase: the request cannot have reached the server. */
const CONNECT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'EHOSTDOWN',
  'EADDRNOTAVAIL',
  'UND_ERR_CONNECT_TIMEOUT',
])
const TLS_CODE = /^(ERR_TLS|ERR_SSL|CERT_|UNABLE_TO_|DEPTH_ZERO|SELF_SIGNED)/

function transportError(
  error: unknown,
  context: CallsErrorContext,
  scope: OperationScope,
  attemptSignal: AbortSignal,
  attemptTimeoutMs: number,
): CallsError {
  if (scope.signal.aborted) return scope.abortError(context, 'maybe')
  if (attemptSignal.aborted) return CallsError.timeout(context, 'attempt_timeout', attemptTimeoutMs, 'maybe')
  const codes = errorCodes(error)
  const tls = codes.some((c) => TLS_CODE.test(c))
  // undici wraps the socket error in `cause`; happy-eyeballs wraps several in an AggregateError.
  const neverSent = tls || (codes.length > 0 && codes.every((c) => CONNECT_CODES.has(c)))
  return CallsError.network(context, { sent: !neverSent, persistent: tls, cause: error })
}

function errorCodes(error: unknown, depth = 0): string[] {
  if (depth > 4 || error === null || typeof error !== 'object') return []
  const e = error as { code?: unknown; cause?: unknown; errors?: unknown }
  const own = typeof e.code === 'string' ? [e.code] : []
  const nested = Array.isArray(e.errors) ? e.errors.flatMap((x) => errorCodes(x, depth + 1)) : []
  return [...own, ...nested, ...errorCodes(e.cause, depth + 1)]
}

function replyForHistory(text: string): unknown {
  try {
    return JSON.parse(text) as unknown
  } catch {
    return { unparsedBody: text.slice(0, 2000) }
  }
}
