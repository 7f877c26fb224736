import {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  APIUserAbortError,
  AuthenticationError,
  PermissionDeniedError,
  RateLimitError,
} from 'openai'
import { AppError, type ErrorCode } from '../../../shared/errors/AppError'
import { humanWait, parseRetryAfter } from '../../../shared/ai/retry'
import type { AiErrorEvent, AiFailureReason, RequestId } from '../../../shared/ai/schemas'

/**
 * Why an AI request failed, with a message that tells the user what to do. Messages are written here, never
 * copied from the server: an AI server's error text can echo parts of the key ("Incorrect API key provided:
 * sk-ab***yz") or anything else, and none of it belongs in the panel or the log.
 */
export class AiFailure extends Error {
  override readonly name = 'AiFailure'

  constructor(
    readonly reason: AiFailureReason,
    message: string,
    readonly retryable: boolean,
    /** The server's Retry-After, in ms, when it sent one. */
    readonly retryAfterMs: number | null = null,
    /** HTTP status, for the log. */
    readonly status: number | null = null,
  ) {
    super(message)
  }

  static noKey(): AiFailure {
    return new AiFailure(
      'no_key',
      'Add your OpenAI API key in Settings → AI assistant to use the assistant.',
      false,
    )
  }

  static cancelled(): AiFailure {
    return new AiFailure('cancelled', 'Stopped.', true)
  }

  static timeout(seconds: number, server: string): AiFailure {
    return new AiFailure(
      'timeout',
      `The AI server (${server}) sent nothing for ${seconds} s, so Convene stopped waiting. Try again; if it keeps happening, the server may be overloaded.`,
      true,
    )
  }

  static streamCut(server: string): AiFailure {
    return new AiFailure(
      'stream_cut',
      `The answer was cut off: the connection to the AI server (${server}) dropped. The part shown is kept; ask again for the rest.`,
      true,
    )
  }

  static network(server: string): AiFailure {
    return new AiFailure(
      'network',
      `Cannot reach the AI server (${server}). Check your internet connection, or the server URL in Settings → AI assistant.`,
      true,
    )
  }

  toEvent(requestId: RequestId): AiErrorEvent {
    return {
      requestId,
      reason: this.reason,
      message: this.message,
      retryable: this.retryable,
      ...(this.retryAfterMs !== null ? { retryInMs: this.retryAfterMs } : {}),
    }
  }

  /** For invoke channels (transcription), which fail with an AppError. */
  toAppError(): AppError {
    const code: Record<AiFailureReason, ErrorCode> = {
      no_key: 'unauthorized',
      unauthorized: 'unauthorized',
      rate_limited: 'rate_limited',
      network: 'network',
      stream_cut: 'network',
      timeout: 'timeout',
      server: 'internal',
      bad_request: 'invalid_request',
      cancelled: 'closed',
      internal: 'internal',
    }
    return new AppError({ code: code[this.reason], message: this.message, retryable: this.retryable })
  }
}

/**
 * Map whatever the SDK or fetch threw to an AiFailure. `server` is the host name shown to the user (not a
 * secret); `now` is for Retry-After dates; `timeoutMs` is the SDK timeout the request ran with.
 */
export function classifyAiError(error: unknown, server: string, now: number, timeoutMs: number): AiFailure {
  if (error instanceof AiFailure) return error
  if (error instanceof APIUserAbortError) return AiFailure.cancelled()
  if (error instanceof APIConnectionTimeoutError)
    return AiFailure.timeout(Math.round(timeoutMs / 1000), server)
  if (error instanceof APIConnectionError) return AiFailure.network(server)
  if (error instanceof AuthenticationError || error instanceof PermissionDeniedError) {
    return new AiFailure(
      'unauthorized',
      `The AI server (${server}) rejected the API key (HTTP ${error.status}). Check the key in Settings → AI assistant, or whether it may use this model.`,
      false,
      null,
      error.status,
    )
  }
  if (error instanceof RateLimitError) {
    const wait = parseRetryAfter(error.headers, now)
    return new AiFailure(
      'rate_limited',
      `The AI server (${server}) is limiting requests (HTTP 429). ${
        wait !== null ? `Try again in ${humanWait(wait)}.` : 'Wait a minute and try again.'
      } If it keeps happening, check your plan's usage limits.`,
      true,
      wait,
      429,
    )
  }
  if (error instanceof APIError && typeof error.status === 'number') {
    const status = error.status
    if (status >= 500) {
      return new AiFailure(
        'server',
        `The AI server (${server}) had a problem (HTTP ${status}). Try again in a moment.`,
        true,
        parseRetryAfter(error.headers, now),
        status,
      )
    }
    return new AiFailure(
      'bad_request',
      `The AI server (${server}) refused the request (HTTP ${status}). Check the model name and server URL in Settings → AI assistant.`,
      false,
      null,
      status,
    )
  }
  // undici's "terminated" / socket errors while reading a body, or a malformed event in the stream.
  if (
    error instanceof TypeError ||
    (error instanceof Error && /socket|terminated|ECONN|EPIPE/i.test(error.message))
  ) {
    return AiFailure.network(server)
  }
  if (error instanceof SyntaxError) {
    return new AiFailure(
      'server',
      `The AI server (${server}) sent a reply Convene could not read. Check the server URL in Settings → AI assistant.`,
      true,
    )
  }
  return new AiFailure('internal', 'The assistant failed unexpectedly. Try again.', true)
}
