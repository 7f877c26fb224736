/**
 * The `errorCode` strings the Calls API puts in replies (observability/error-codes.mdx and the OpenAPI
 * examples), and how Convene treats each. Shared so the fake server, the embedded SFU and the client agree.
 */
export const CALLS_API_ERROR_CODES = [
  // Request level
  'unauthorized',
  'not_found',
  'decoding_error',
  'invalid_params',
  'payload_too_large',
  // Negotiation
  'session_error',
  'invalid_session_description',
  // Per item (tracks, data channels)
  'not_found_track_error',
  'empty_track_error',
  'repeated_local_track_error',
  'update_track_error',
  'close_track_error',
  // Adapters
  'websocket_localhost_not_allowed',
  'websocket_handshake_failed',
  'websocket_connection_timeout',
  'adapter_not_found',
  // Service
  'retryable_transient_error',
  'temporarily_unavailable_error',
  'transport_unavailable_error',
  'backend_error',
  'internal_error',
] as const
export type CallsApiErrorCode = (typeof CALLS_API_ERROR_CODES)[number]

/**
 * The error families Convene distinguishes (the `code` of `CallsError`). Each implies what to do:
 * fix settings (`unauthorized`, `not_found`), fix the call (`invalid_request`), wait (`rate_limited`), rebuild the
 * session (`session_gone`), handle the failed items (`track_error`), retry later (`server`, `network`, `timeout`).
 */
export const CALLS_ERROR_KINDS = [
  'unauthorized',
  'not_found',
  'invalid_request',
  'rate_limited',
  'session_gone',
  'track_error',
  'server',
  'network',
  'timeout',
] as const
export type CallsErrorKind = (typeof CALLS_ERROR_KINDS)[number]

export interface ApiErrorClass {
  readonly kind: CallsErrorKind
  /** Whether trying the same thing again later can succeed without changing anything. */
  readonly retryable: boolean
}

/**
 * Classify an `errorCode` found at the top level of a reply or on one item. Unknown codes count as a server
 * fault that is not worth repeating: we cannot tell what went wrong, so a retry loop would only hide it.
 */
export function classifyApiErrorCode(code: string): ApiErrorClass {
  switch (code) {
    case 'unauthorized':
      return { kind: 'unauthorized', retryable: false }
    case 'not_found':
    case 'adapter_not_found':
      return { kind: 'not_found', retryable: false }
    case 'decoding_error':
    case 'invalid_params':
    case 'payload_too_large':
    case 'invalid_session_description':
    case 'websocket_localhost_not_allowed':
      return { kind: 'invalid_request', retryable: false }
    case 'session_error':
      return { kind: 'session_gone', retryable: false }
    // The publisher is not sending yet (partytracks waits for bytesSent > 0 for this reason): try again shortly.
    case 'not_found_track_error':
    case 'empty_track_error':
      return { kind: 'track_error', retryable: true }
    case 'repeated_local_track_error':
    case 'update_track_error':
    case 'close_track_error':
    case 'websocket_handshake_failed':
      return { kind: 'track_error', retryable: false }
    case 'websocket_connection_timeout':
      return { kind: 'track_error', retryable: true }
    case 'retryable_transient_error':
    case 'temporarily_unavailable_error':
    case 'transport_unavailable_error':
    case 'backend_error':
    case 'internal_error':
      return { kind: 'server', retryable: true }
    default:
      return { kind: 'server', retryable: false }
  }
}

/** Per-item codes that are not failures: closing something already closed leaves it cleaned up. */
export function isBenignCloseError(code: string): boolean {
  return code === 'close_track_error'
}
