import { AppError, missingCaseError, type ErrorCode } from '../../../shared/errors/AppError'
import { classifyApiErrorCode, type CallsErrorKind } from '../../../shared/calls/errorCodes'
import type { BackendTarget, ItemFailure } from '../../../shared/calls/ipc'

/** Why a `CallsError` happened, finer than its `code`; recorded in logs and the API history. */
export type CallsErrorReason =
  /** A non-2xx HTTP status. */
  | 'http_status'
  /** A 2xx reply whose top level carries `errorCode`. */
  | 'api_error'
  /** Some items of a batch failed inside a 2xx reply (or every item of an adapter batch, with 503). */
  | 'partial_failure'
  /** The reply was not JSON, or not the shape the OpenAPI describes. */
  | 'bad_reply'
  /** No connection could be made: the request never left this machine. */
  | 'connect_failed'
  /** The connection broke after the request may have been sent. */
  | 'connection_lost'
  /** One attempt took longer than the per-attempt timeout. */
  | 'attempt_timeout'
  /** The whole operation (queueing, rate limiting, retries) ran past its deadline. */
  | 'deadline'
  /** The caller's AbortSignal fired. */
  | 'aborted'
  /** Settings lack what the current backend needs (app id, secret, server URL, token). */
  | 'not_configured'
  /** Our own token bucket would have made the caller wait past the deadline. */
  | 'local_rate_limit'
  /** The session already answered 410 once; later calls fail fast without a request. */
  | 'session_closed'
  /** The request failed our schema before anything was sent. */
  | 'invalid_input'

/**
 * Whether the server may have acted on the request. `no` means certainly not (never sent, refused with 429 or
 * 425, rejected locally): repeating it is safe for every operation. `maybe` means the effect is unknown, so only
 * operations that are safe to repeat may be retried.
 */
export type Applied = 'no' | 'maybe'

/** Where a failure happened. Never holds headers, tokens or bodies. */
export interface CallsErrorContext {
  readonly operation: string
  readonly sessionId?: string
  readonly target?: BackendTarget
  readonly attempt?: number
}

interface CallsErrorInit {
  readonly code: CallsErrorKind
  readonly reason: CallsErrorReason
  readonly message: string
  readonly retryable: boolean
  readonly applied: Applied
  readonly context: CallsErrorContext
  readonly status?: number
  readonly retryAfterMs?: number
  readonly apiErrorCode?: string
  readonly items?: readonly ItemFailure[]
  readonly partial?: unknown
  readonly cause?: unknown
}

/**
 * The one error type of the Calls and TURN clients. `code` says what to do (see `CallsErrorKind`), `retryable`
 * whether trying again later can help, `applied` whether repeating right now is safe. Messages are written for
 * the user and never contain secrets: only the operation and session id are kept as context.
 */
export class CallsError extends Error {
  override readonly name = 'CallsError'
  readonly code: CallsErrorKind
  readonly reason: CallsErrorReason
  readonly retryable: boolean
  readonly applied: Applied
  readonly context: CallsErrorContext
  /** HTTP status when a reply arrived. */
  readonly status: number | undefined
  /** From `Retry-After` on a 429 (or our own bucket); how long to wait before trying again. */
  readonly retryAfterMs: number | undefined
  /** The Calls `errorCode` that caused this, when the server sent one. */
  readonly apiErrorCode: string | undefined
  /** For `track_error`: the items that failed. */
  readonly items: readonly ItemFailure[]
  /**
   * For a partial failure inside a 2xx: the whole normalised result, so the caller can still apply the SDP in it
   * and keep the items that succeeded.
   */
  readonly partial: unknown

  private constructor(init: CallsErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause })
    this.code = init.code
    this.reason = init.reason
    this.retryable = init.retryable
    this.applied = init.applied
    this.context = init.context
    this.status = init.status
    this.retryAfterMs = init.retryAfterMs
    this.apiErrorCode = init.apiErrorCode
    this.items = init.items ?? []
    this.partial = init.partial
  }

  /** The same error seen from a later attempt (keeps everything, updates the context). */
  withContext(context: Partial<CallsErrorContext>): CallsError {
    return new CallsError({ ...this.init(), context: { ...this.context, ...context } })
  }

  private init(): CallsErrorInit {
    return {
      code: this.code,
      reason: this.reason,
      message: this.message,
      retryable: this.retryable,
      applied: this.applied,
      context: this.context,
      status: this.status,
      retryAfterMs: this.retryAfterMs,
      apiErrorCode: this.apiErrorCode,
      items: this.items,
      partial: this.partial,
      cause: this.cause,
    }
  }

  static notConfigured(context: CallsErrorContext, message: string): CallsError {
    return new CallsError({
      code: 'unauthorized',
      reason: 'not_configured',
      message,
      retryable: false,
      applied: 'no',
      context,
    })
  }

  static invalidInput(context: CallsErrorContext, issues: readonly string[]): CallsError {
    return new CallsError({
      code: 'invalid_request',
      reason: 'invalid_input',
      message: `Convene built an invalid ${context.operation} request (${issues.slice(0, 3).join('; ')}). Export the diagnostics log and report it.`,
      retryable: false,
      applied: 'no',
      context,
    })
  }

  /** A non-2xx reply. `apiErrorCode` comes from the body when it had one. */
  static fromStatus(
    context: CallsErrorContext,
    status: number,
    extra: { apiErrorCode?: string; description?: string; retryAfterMs?: number } = {},
  ): CallsError {
    const { apiErrorCode, retryAfterMs } = extra
    const base = { reason: 'http_status' as const, context, status, apiErrorCode }
    const detail = apiErrorCode ? `${status} ${apiErrorCode}` : String(status)
    if (status === 429) {
      // A rate limiter answers before the request is acted on, so even a non-idempotent call may be repeated.
      return new CallsError({
        ...base,
        code: 'rate_limited',
        message: messageFor('rate_limited', context, detail),
        retryable: true,
        applied: 'no',
        retryAfterMs,
      })
    }
    if (status === 425) {
      // "Too early": the session's transport is not connected yet; the request was refused, not applied.
      return new CallsError({
        ...base,
        code: 'server',
        message: `The media session is still connecting (${detail}). Convene will try again; if it does not recover, rejoin the meeting.`,
        retryable: true,
        applied: 'no',
        retryAfterMs,
      })
    }
    const kind = kindForStatus(status, apiErrorCode)
    return new CallsError({
      ...base,
      code: kind,
      message: messageFor(kind, context, detail),
      // 408 means the server gave up waiting for our request: it did not act on it.
      // 5xx may pass; a redirect or an unexpected status will not fix itself.
      retryable: (kind === 'server' && status >= 500 && status < 600) || kind === 'timeout',
      applied: status === 408 ? 'no' : 'maybe',
      retryAfterMs,
    })
  }

  /** A 2xx reply with a top-level `errorCode`. */
  static fromApiError(context: CallsErrorContext, status: number, apiErrorCode: string): CallsError {
    const { kind, retryable } = classifyApiErrorCode(apiErrorCode)
    return new CallsError({
      code: kind,
      reason: 'api_error',
      message: messageFor(kind, context, `${status} ${apiErrorCode}`),
      retryable,
      applied: 'maybe',
      context,
      status,
      apiErrorCode,
    })
  }

  /** Items of a batch failed. `partial` is the normalised result with everything that did succeed. */
  static partialFailure(
    context: CallsErrorContext,
    status: number,
    items: readonly ItemFailure[],
    total: number,
    partial: unknown,
  ): CallsError {
    const codes = [...new Set(items.map((i) => i.errorCode))].slice(0, 4).join(', ')
    return new CallsError({
      code: 'track_error',
      reason: 'partial_failure',
      message: `${items.length} of ${total} items could not be set up (${codes}). Convene will try again; if audio or video stays missing, ask the other person to turn it off and on again.`,
      retryable: items.every((i) => i.retryable),
      applied: 'maybe',
      context,
      status,
      items,
      partial,
    })
  }

  static badReply(context: CallsErrorContext, status: number, detail: string): CallsError {
    return new CallsError({
      code: 'server',
      reason: 'bad_reply',
      message: `The media service sent a reply Convene could not read (${status}, ${detail.slice(0, 120)}). Try again; if it keeps happening, export the diagnostics log.`,
      retryable: true,
      applied: 'maybe',
      context,
      status,
    })
  }

  /**
   * A transport failure. `sent: false` when the connection was never made (refused, DNS): then the request cannot
   * have had any effect. `persistent` for failures a retry cannot fix (a TLS certificate problem).
   */
  static network(
    context: CallsErrorContext,
    options: { sent: boolean; persistent?: boolean; cause?: unknown },
  ): CallsError {
    return new CallsError({
      code: 'network',
      reason: options.sent ? 'connection_lost' : 'connect_failed',
      message: messageFor('network', context, ''),
      retryable: options.persistent !== true,
      applied: options.sent ? 'maybe' : 'no',
      context,
      cause: options.cause,
    })
  }

  static timeout(
    context: CallsErrorContext,
    reason: 'attempt_timeout' | 'deadline',
    ms: number,
    applied: Applied,
  ): CallsError {
    return new CallsError({
      code: 'timeout',
      reason,
      message: `The media service did not answer within ${(ms / 1000).toFixed(1)} s. Check your connection and try again.`,
      retryable: true,
      applied,
      context,
    })
  }

  static aborted(context: CallsErrorContext, applied: Applied): CallsError {
    return new CallsError({
      code: 'timeout',
      reason: 'aborted',
      message: `The ${context.operation} request was cancelled.`,
      retryable: true,
      applied,
      context,
    })
  }

  static localRateLimit(context: CallsErrorContext, retryAfterMs: number): CallsError {
    return new CallsError({
      code: 'rate_limited',
      reason: 'local_rate_limit',
      message: messageFor('rate_limited', context, 'local limit'),
      retryable: true,
      applied: 'no',
      context,
      retryAfterMs,
    })
  }

  static sessionClosed(context: CallsErrorContext): CallsError {
    return new CallsError({
      code: 'session_gone',
      reason: 'session_closed',
      message: messageFor('session_gone', context, ''),
      retryable: false,
      applied: 'no',
      context,
    })
  }

  /** The short, secret-free form kept in the API history. */
  toSummary(): { code: string; reason: string; message: string } {
    return { code: this.code, reason: this.reason, message: this.message }
  }
}

function kindForStatus(status: number, apiErrorCode: string | undefined): CallsErrorKind {
  if (status === 401 || status === 403) return 'unauthorized'
  if (status === 404) return 'not_found'
  if (status === 410) return 'session_gone'
  if (status === 408) return 'timeout'
  if (status >= 500) return 'server'
  if (status >= 400) {
    // 406 is used both for bad input and for a session that is in the wrong state.
    if (apiErrorCode === 'session_error') return 'session_gone'
    return 'invalid_request'
  }
  // 1xx/3xx: redirects are not followed (the Authorization header must not travel to another host).
  return 'server'
}

function place(context: CallsErrorContext): string {
  switch (context.target) {
    case 'cloudflare':
      return 'Cloudflare Calls'
    case 'worker':
      return 'your Convene server'
    case 'local':
      return 'the built-in media server'
    case undefined:
      return 'the media service'
    default:
      throw missingCaseError(context.target)
  }
}

function messageFor(kind: CallsErrorKind, context: CallsErrorContext, detail: string): string {
  const where = place(context)
  const suffix = detail ? ` (${detail})` : ''
  switch (kind) {
    case 'unauthorized':
      return context.target === 'worker'
        ? `Your Convene server refused the sign-in token${suffix}. Paste a fresh token in Settings.`
        : context.target === 'local'
          ? `The built-in media server refused the request${suffix}. Restart Convene.`
          : `${where} refused the app secret${suffix}. Check the Calls app ID and secret in Settings.`
    case 'not_found':
      return context.target === 'cloudflare'
        ? `Cloudflare Calls does not know this app${suffix}. Check the Calls app ID in Settings.`
        : `${where} has nothing at this address${suffix}. Check the server settings, or restart Convene.`
    case 'invalid_request':
      return `${where} rejected a ${context.operation} request${suffix}. Leave and rejoin the meeting; if it keeps happening, export the diagnostics log.`
    case 'rate_limited':
      return `${where} is busy${suffix}. Wait a few seconds; Convene will try again.`
    case 'session_gone':
      return `The media session ended on ${where}${suffix}. Convene will reconnect; if it does not, rejoin the meeting.`
    case 'track_error':
      return `${where} could not set up some audio or video${suffix}. Convene will try again.`
    case 'server':
      return `${where} had a problem${suffix}. Try again in a moment.`
    case 'network':
      return context.target === 'local'
        ? 'Convene could not reach its built-in media server. Restart Convene.'
        : `Convene could not reach ${where}. Check your internet connection; Convene will keep trying.`
    case 'timeout':
      return `${where} did not answer in time${suffix}. Check your connection and try again.`
    default:
      throw missingCaseError(kind)
  }
}

const APP_CODE: Record<CallsErrorKind, ErrorCode> = {
  unauthorized: 'unauthorized',
  not_found: 'not_found',
  invalid_request: 'invalid_request',
  rate_limited: 'rate_limited',
  session_gone: 'session_gone',
  track_error: 'track_error',
  server: 'server',
  network: 'network',
  timeout: 'timeout',
}

/**
 * The IPC form of a Calls failure. Per-item failures travel as `issues` lines (`mid 3: not_found_track_error`);
 * anything that is not a `CallsError` becomes `internal` without leaking its text.
 */
export function toAppError(error: unknown): AppError {
  if (error instanceof AppError) return error
  if (!(error instanceof CallsError)) return AppError.internal(error)
  const issues = error.items.slice(0, 20).map((item) => {
    const id = item.mid ?? item.trackName ?? item.dataChannelName ?? item.adapterId ?? `#${item.index}`
    return `${id}: ${item.errorCode}`.slice(0, 300)
  })
  return new AppError(
    {
      code: APP_CODE[error.code],
      message: error.message.slice(0, 2000),
      retryable: error.retryable,
      ...(issues.length > 0 ? { issues } : {}),
    },
    { cause: error },
  )
}
