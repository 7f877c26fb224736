import { describe, expect, it } from 'vitest'
import { CALLS_ERROR_KINDS } from '../../../shared/calls/errorCodes'
import { AppError, ErrorCode } from '../../../shared/errors/AppError'
import { CallsError, toAppError } from './errors'

describe('CallsError → AppError', () => {
  it('maps every Calls error kind to an IPC error code', () => {
    for (const kind of CALLS_ERROR_KINDS) expect(ErrorCode.options).toContain(kind)
    const cases: Array<[CallsError, string]> = [
      [CallsError.fromStatus({ operation: 'x' }, 401), 'unauthorized'],
      [CallsError.fromStatus({ operation: 'x' }, 404), 'not_found'],
      [CallsError.fromStatus({ operation: 'x' }, 400), 'invalid_request'],
      [CallsError.fromStatus({ operation: 'x' }, 429), 'rate_limited'],
      [CallsError.fromStatus({ operation: 'x' }, 410), 'session_gone'],
      [CallsError.fromStatus({ operation: 'x' }, 502), 'server'],
      [CallsError.network({ operation: 'x' }, { sent: false }), 'network'],
      [CallsError.timeout({ operation: 'x' }, 'deadline', 1000, 'no'), 'timeout'],
    ]
    for (const [error, code] of cases) {
      const app = toAppError(error)
      expect(app).toBeInstanceOf(AppError)
      expect(app.toInfo()).toMatchObject({ code, retryable: error.retryable })
    }
  })

  it('lists failed items as issues', () => {
    const items = [
      { index: 0, mid: '3', errorCode: 'not_found_track_error', errorDescription: '', retryable: true },
      { index: 1, trackName: 'cam', errorCode: 'internal_error', errorDescription: '', retryable: true },
    ]
    const app = toAppError(CallsError.partialFailure({ operation: 'tracks/new' }, 200, items, 2, {}))
    expect(app.toInfo()).toMatchObject({
      code: 'track_error',
      retryable: true,
      issues: ['3: not_found_track_error', 'cam: internal_error'],
    })
  })

  it('hides anything that is not a CallsError behind internal', () => {
    const app = toAppError(new Error('secret stack detail'))
    expect(app.code).toBe('internal')
    expect(app.message).not.toContain('secret stack detail')
  })

  it('tells the user what to do, per backend', () => {
    expect(CallsError.fromStatus({ operation: 'x', target: 'cloudflare' }, 401).message).toMatch(
      /app ID and secret in Settings/,
    )
    expect(CallsError.fromStatus({ operation: 'x', target: 'worker' }, 401).message).toMatch(
      /token in Settings/,
    )
    expect(CallsError.fromStatus({ operation: 'x', target: 'local' }, 401).message).toMatch(/Restart Convene/)
    expect(CallsError.network({ operation: 'x', target: 'cloudflare' }, { sent: true }).message).toMatch(
      /internet connection/,
    )
  })
})
