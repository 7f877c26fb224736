import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  CloseTracksResponse,
  GetSessionStateResponse,
  NewAdapterResponse,
  NewSessionResponse,
  TracksResponse,
} from '../../../shared/calls/schemas'
import { CallsError } from './errors'
import { collectFailures, interpretReply, type ReplySpec } from './replies'

const ctx = { operation: 'tracks/new', sessionId: 's1', target: 'cloudflare' as const }
const reply = (status: number, text: string, retryAfter: string | null = null) => ({
  status,
  text,
  retryAfter,
})

function thrown(fn: () => unknown): CallsError {
  try {
    fn()
  } catch (error) {
    expect(error).toBeInstanceOf(CallsError)
    return error as CallsError
  }
  throw new Error('expected a CallsError')
}

describe('interpretReply', () => {
  const tracks: ReplySpec<typeof TracksResponse> = { schema: TracksResponse }

  it('parses a 2xx body and drops unknown fields', () => {
    const value = interpretReply(
      tracks,
      reply(200, '{"requiresImmediateRenegotiation":false,"tracks":[],"x":1}'),
      ctx,
      0,
    )
    expect(value).toEqual({ requiresImmediateRenegotiation: false, tracks: [] })
  })

  it('treats an empty 2xx body as {} and lets the schema decide', () => {
    expect(interpretReply({ schema: TracksResponse }, reply(200, ''), ctx, 0)).toEqual({})
    expect(thrown(() => interpretReply({ schema: NewSessionResponse }, reply(201, ''), ctx, 0)).reason).toBe(
      'bad_reply',
    )
  })

  it('maps statuses to codes, retryability and whether the request may have acted', () => {
    const cases: Array<[number, string, boolean, string]> = [
      [400, 'invalid_request', false, 'maybe'],
      [401, 'unauthorized', false, 'maybe'],
      [403, 'unauthorized', false, 'maybe'],
      [404, 'not_found', false, 'maybe'],
      [406, 'invalid_request', false, 'maybe'],
      [408, 'timeout', true, 'no'],
      [410, 'session_gone', false, 'maybe'],
      [425, 'server', true, 'no'],
      [429, 'rate_limited', true, 'no'],
      [500, 'server', true, 'maybe'],
      [503, 'server', true, 'maybe'],
      [302, 'server', false, 'maybe'],
    ]
    for (const [status, code, retryable, applied] of cases) {
      const error = thrown(() => interpretReply(tracks, reply(status, '{}'), ctx, 0))
      expect({ status, code: error.code, retryable: error.retryable, applied: error.applied }).toEqual({
        status,
        code,
        retryable,
        applied,
      })
    }
  })

  it('reads the Calls errorCode of a failure body, and Retry-After (seconds or date)', () => {
    const gone = thrown(() =>
      interpretReply(tracks, reply(406, '{"errorCode":"session_error","errorDescription":"x"}'), ctx, 0),
    )
    expect(gone).toMatchObject({ code: 'session_gone', apiErrorCode: 'session_error' })
    expect(thrown(() => interpretReply(tracks, reply(429, '', '3'), ctx, 0)).retryAfterMs).toBe(3000)
    const at = Date.parse('Wed, 21 Oct 2026 07:28:05 GMT')
    const dated = thrown(() =>
      interpretReply(tracks, reply(429, '', 'Wed, 21 Oct 2026 07:28:05 GMT'), ctx, at - 1500),
    )
    expect(dated.retryAfterMs).toBe(1500)
  })

  it('turns a top-level errorCode in a 2xx into a typed error', () => {
    const error = thrown(() => interpretReply(tracks, reply(200, '{"errorCode":"internal_error"}'), ctx, 0))
    expect(error).toMatchObject({
      code: 'server',
      reason: 'api_error',
      retryable: true,
      apiErrorCode: 'internal_error',
    })
  })

  it('parses per-item bodies on the listed failure statuses (adapters answer 503 when all failed)', () => {
    const spec = { schema: NewAdapterResponse, itemStatuses: [503] }
    const body = '{"tracks":[{"trackName":"m","errorCode":"websocket_handshake_failed"}]}'
    expect(interpretReply(spec, reply(503, body), ctx, 0).tracks?.[0]?.errorCode).toBe(
      'websocket_handshake_failed',
    )
    expect(thrown(() => interpretReply(spec, reply(503, 'Service Unavailable'), ctx, 0)).code).toBe('server')
  })

  it('never leaks the body into the message', () => {
    const error = thrown(() =>
      interpretReply(
        tracks,
        reply(401, '{"errorCode":"unauthorized","errorDescription":"token abc123secret"}'),
        ctx,
        0,
      ),
    )
    expect(error.message).not.toContain('abc123secret')
    expect(error.message).toMatch(/Settings/)
  })

  it('fuzz: any status and any bytes give a schema-valid value or a CallsError, never a crash', () => {
    const specs: ReplySpec<never>[] = [
      { schema: TracksResponse },
      { schema: NewSessionResponse },
      { schema: CloseTracksResponse },
      { schema: GetSessionStateResponse },
      { schema: NewAdapterResponse, itemStatuses: [503] },
      { schema: null },
    ] as never
    const json = fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v))
    // Near-misses of real replies: right keys, wrong types; truncations; deep nesting; odd unicode.
    const nearMiss = fc
      .record(
        {
          sessionId: fc.oneof(fc.string(), fc.integer(), fc.constant(null)),
          tracks: fc.oneof(
            fc.array(
              fc.dictionary(
                fc.constantFrom('mid', 'trackName', 'errorCode', 'status', 'simulcast'),
                fc.jsonValue({ maxDepth: 2 }),
              ),
            ),
            fc.string(),
          ),
          sessionDescription: fc.oneof(
            fc.record({ type: fc.string(), sdp: fc.jsonValue({ maxDepth: 1 }) }),
            fc.constant(null),
          ),
          requiresImmediateRenegotiation: fc.jsonValue({ maxDepth: 1 }),
          errorCode: fc.oneof(fc.constant(undefined), fc.string(), fc.integer()),
        },
        { requiredKeys: [] },
      )
      .map((v) => JSON.stringify(v))
    const truncated = json.chain((t) => fc.nat({ max: Math.max(0, t.length) }).map((n) => t.slice(0, n)))
    const deep = fc.nat({ max: 5000 }).map((n) => '['.repeat(n) + ']'.repeat(n))
    const body = fc.oneof(fc.string(), fc.string({ unit: 'binary' }), json, nearMiss, truncated, deep)
    const status = fc.oneof(
      fc.integer({ min: 100, max: 599 }),
      fc.constantFrom(200, 201, 204, 400, 410, 429, 503),
    )
    const retryAfter = fc.option(fc.oneof(fc.string(), fc.nat().map(String)), { nil: null })
    let values = 0
    let errors = 0
    fc.assert(
      fc.property(fc.constantFrom(...specs), status, body, retryAfter, (spec, s, text, ra) => {
        try {
          const value = interpretReply(spec, { status: s, text, retryAfter: ra }, ctx, Date.now())
          if (spec.schema) expect((spec.schema as typeof TracksResponse).safeParse(value).success).toBe(true)
          values += 1
        } catch (error) {
          expect(error).toBeInstanceOf(CallsError)
          const e = error as CallsError
          expect(e.message.length).toBeGreaterThan(0)
          expect(e.message.length).toBeLessThanOrEqual(2000)
          errors += 1
        }
      }),
      { numRuns: 1500, seed: 4 },
    )
    // Both branches were exercised, so the property is not vacuous.
    expect(values).toBeGreaterThan(0)
    expect(errors).toBeGreaterThan(0)
  })
})

describe('collectFailures', () => {
  it('lists failed items with their identity and retryability, skipping benign close errors on request', () => {
    const items = [
      { mid: '0' },
      { mid: '1', errorCode: 'close_track_error', errorDescription: 'already closed' },
      { mid: '2', trackName: 't', errorCode: 'not_found_track_error' },
      { mid: '3', errorCode: 'repeated_local_track_error' },
    ]
    expect(collectFailures(items, { benignClose: true })).toEqual([
      {
        index: 2,
        mid: '2',
        trackName: 't',
        errorCode: 'not_found_track_error',
        errorDescription: '',
        retryable: true,
      },
      { index: 3, mid: '3', errorCode: 'repeated_local_track_error', errorDescription: '', retryable: false },
    ])
    expect(collectFailures(items)).toHaveLength(3)
  })
})
