import type { ApiErrorBody } from '../../shared/calls/schemas'
import type { CallsApiErrorCode } from '../../shared/calls/errorCodes'

/**
 * A request-level failure in the Calls error shape (`{errorCode, errorDescription}` with the HTTP status Calls
 * uses for it). Per-item failures are not thrown: they go into the item's `errorCode` inside a 200 reply.
 */
export class CallsApiError extends Error {
  override readonly name = 'CallsApiError'

  constructor(
    readonly status: number,
    readonly errorCode: CallsApiErrorCode,
    readonly errorDescription: string,
  ) {
    super(errorDescription)
  }

  static unauthorized(): CallsApiError {
    return new CallsApiError(
      401,
      'unauthorized',
      'Missing or wrong bearer token. Use the token printed when the local SFU started.',
    )
  }

  static notFound(what: string): CallsApiError {
    return new CallsApiError(404, 'not_found', `${what} does not exist on this SFU.`)
  }

  static decoding(detail: string): CallsApiError {
    return new CallsApiError(400, 'decoding_error', `The request body could not be decoded: ${detail}`)
  }

  static invalidParams(detail: string): CallsApiError {
    return new CallsApiError(406, 'invalid_params', detail)
  }

  static invalidDescription(detail: string): CallsApiError {
    return new CallsApiError(406, 'invalid_session_description', detail)
  }

  static payloadTooLarge(limit: number): CallsApiError {
    return new CallsApiError(413, 'payload_too_large', `The request body is larger than ${limit} bytes.`)
  }

  /** 410: the session closed or expired; retrying does not help, make a new session. */
  static sessionGone(sessionId: string): CallsApiError {
    return new CallsApiError(
      410,
      'session_error',
      `Session ${sessionId} is closed or expired. Create a new session and push and pull the tracks again.`,
    )
  }

  static rateLimited(): CallsApiError {
    return new CallsApiError(
      429,
      'retryable_transient_error',
      'Too many requests for this session (more than 50 per second). Slow down and retry.',
    )
  }

  static internal(): CallsApiError {
    return new CallsApiError(500, 'internal_error', 'Backend error')
  }

  toBody(): ApiErrorBody {
    return { errorCode: this.errorCode, errorDescription: this.errorDescription }
  }
}

/** The fields a failed item carries inside a 200 reply. */
export interface ItemError {
  readonly errorCode: CallsApiErrorCode
  readonly errorDescription: string
}

export const itemErrors = {
  trackNotFound: (sessionId: string, trackName: string): ItemError => ({
    errorCode: 'not_found_track_error',
    errorDescription: `Track ${sessionId}/${trackName} not found. Make sure the publisher pushed it and is still connected.`,
  }),
  repeatedLocal: (trackName: string): ItemError => ({
    errorCode: 'repeated_local_track_error',
    errorDescription: `This session already publishes a track named ${trackName}.`,
  }),
  invalid: (detail: string): ItemError => ({ errorCode: 'invalid_params', errorDescription: detail }),
  closeMissing: (): ItemError => ({
    errorCode: 'close_track_error',
    errorDescription: "Track doesn't exist or was already closed",
  }),
  update: (detail: string): ItemError => ({ errorCode: 'update_track_error', errorDescription: detail }),
} as const
