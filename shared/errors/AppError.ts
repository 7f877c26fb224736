import { z } from 'zod'

/**
 * Error codes that cross process boundaries (IPC, the web-mode socket). Stable strings: the renderer switches on
 * them, tests assert them. Add a code here before using it anywhere.
 */
export const ErrorCode = z.enum([
  'invalid_request',
  'unknown_channel',
  'forbidden',
  'not_found',
  'insecure_storage',
  'storage_unavailable',
  'unauthorized',
  'rate_limited',
  'timeout',
  'network',
  'closed',
  'internal',
  // Calls / media service failures (electron/main/calls/errors.ts maps them):
  /** The media session ended on the server (HTTP 410); the engine builds a new one. */
  'session_gone',
  /** Some tracks or channels of a batch failed; `issues` lists them. */
  'track_error',
  /** The media service failed (5xx or an unreadable reply). */
  'server',
])
export type ErrorCode = z.infer<typeof ErrorCode>

/** The wire form of an error: what crosses IPC inside `{ ok: false, error }`. */
export const ErrorInfo = z.object({
  code: ErrorCode,
  message: z.string().max(2000),
  retryable: z.boolean(),
  /** For `invalid_request`: where the payload was wrong, e.g. `value: Too small`. */
  issues: z.array(z.string().max(300)).max(20).optional(),
})
export type ErrorInfo = z.infer<typeof ErrorInfo>

/**
 * The one error class that crosses boundaries. Build it through the static factories so every message tells the
 * user what to do next.
 */
export class AppError extends Error {
  override readonly name = 'AppError'
  readonly code: ErrorCode
  readonly retryable: boolean
  readonly issues: readonly string[] | undefined

  constructor(info: ErrorInfo, options?: { cause?: unknown }) {
    super(info.message, options)
    this.code = info.code
    this.retryable = info.retryable
    this.issues = info.issues
  }

  static invalidRequest(message: string, issues?: readonly string[]): AppError {
    return new AppError({ code: 'invalid_request', message, retryable: false, issues: issues?.slice(0, 20) })
  }

  static unknownChannel(channel: string): AppError {
    return new AppError({
      code: 'unknown_channel',
      message: `There is no IPC channel named "${channel.slice(0, 80)}".`,
      retryable: false,
    })
  }

  static forbidden(message: string): AppError {
    return new AppError({ code: 'forbidden', message, retryable: false })
  }

  static internal(cause?: unknown): AppError {
    return new AppError(
      {
        code: 'internal',
        message:
          'Something went wrong inside Convene. Try again; if it keeps happening, export the diagnostics log.',
        retryable: true,
      },
      { cause },
    )
  }

  static timeout(what: string, ms: number): AppError {
    return new AppError({
      code: 'timeout',
      message: `${what} took longer than ${ms} ms. Try again.`,
      retryable: true,
    })
  }

  static closed(what: string): AppError {
    return new AppError({ code: 'closed', message: `${what} is closed.`, retryable: false })
  }

  /** Turn anything thrown into an AppError without leaking internals into the message. */
  static from(error: unknown): AppError {
    return error instanceof AppError ? error : AppError.internal(error)
  }

  toInfo(): ErrorInfo {
    return {
      code: this.code,
      message: this.message,
      retryable: this.retryable,
      ...(this.issues ? { issues: [...this.issues] } : {}),
    }
  }
}

/** End of an exhaustive switch: reaching it means a union grew a case nobody handled. */
export function missingCaseError(value: never): Error {
  return new TypeError(`Unhandled case: ${JSON.stringify(value)}`)
}
