import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { CallsTuning } from '../../../electron/main/calls/createCallsService'
import { CallsError } from '../../../electron/main/calls/errors'
import type { CallsContractTarget, ContractClient, SdpPeer } from '../callsContract'
import type { FakeCallsServer } from './FakeCallsServer'

async function failure(promise: Promise<unknown>): Promise<CallsError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(CallsError)
  return error as CallsError
}

/**
 * The fault half of the contract: every failure the issue names ends in its documented behaviour (a retry, a
 * typed error, or recovery), without hanging. Needs the fake server; imported by `runCallsContract`.
 */
export function runFaultContract(
  target: () => CallsContractTarget,
  client: () => ContractClient,
  peer: () => SdpPeer,
  makeClient: (tuning: CallsTuning) => ContractClient,
): void {
  const fake = (): FakeCallsServer => {
    const f = target().fake
    if (!f) throw new Error('the fault contract needs a target with a fake server')
    return f
  }
  /** A session with one pushed audio track; returns what a push needs. */
  async function pushed() {
    const c = client()
    const { sessionId } = await c.client.newSession()
    const offer = await peer().pushOffer(['audio'])
    return {
      sessionId,
      push: () =>
        c.client.newTracks({
          sessionId,
          sessionDescription: { type: 'offer', sdp: offer.sdp },
          tracks: [{ location: 'local', mid: offer.mids[0]!, trackName: `mic-${Math.random()}` }],
        }),
    }
  }

  describe('faults', () => {
    it('429 with Retry-After: waits at least that long, then repeats even an unsafe push', async () => {
      const { sessionId, push } = await pushed()
      fake().inject(
        { kind: 'reply', status: 429, json: {}, headers: { 'retry-after': '2' } },
        { operation: 'tracks/new', sessionId },
      )
      const result = await push()
      expect(result.failures).toEqual([])
      expect(
        fake().requests.filter((r) => r.operation === 'tracks/new' && r.sessionId === sessionId),
      ).toHaveLength(2)
      expect(Math.max(...client().sleeps)).toBeGreaterThanOrEqual(2000)
    })

    it('429 whose Retry-After exceeds the limit: rate_limited with retryAfterMs, no wait', async () => {
      fake().inject(
        { kind: 'reply', status: 429, json: {}, headers: { 'retry-after': '60' } },
        { operation: 'sessions/new' },
      )
      const error = await failure(client().client.newSession())
      expect(error).toMatchObject({ code: 'rate_limited', retryable: true, retryAfterMs: 60_000 })
      expect(client().history.list()).toHaveLength(1)
    })

    it('503: retried for a read, not for an unsafe push (typed, retryable error instead)', async () => {
      const { sessionId, push } = await pushed()
      const before = fake().count('sessions/get')
      fake().inject(
        { kind: 'reply', status: 503, json: { errorCode: 'temporarily_unavailable_error' } },
        { operation: 'sessions/get' },
        2,
      )
      const state = await client().client.getSession({ sessionId })
      expect(state.tracks).toEqual([])
      expect(fake().count('sessions/get') - before).toBe(3)
      fake().inject(
        { kind: 'reply', status: 503, text: 'upstream unavailable' },
        { operation: 'tracks/new', sessionId },
      )
      const error = await failure(push())
      expect(error).toMatchObject({ code: 'server', status: 503, retryable: true, applied: 'maybe' })
      expect(
        fake().requests.filter((r) => r.operation === 'tracks/new' && r.sessionId === sessionId),
      ).toHaveLength(1)
    })

    it('503 on every attempt: stops after maxAttempts with a server error', async () => {
      const { sessionId } = await pushed()
      const before = fake().count('sessions/get')
      fake().inject({ kind: 'reply', status: 503, json: {} }, { operation: 'sessions/get' }, 100)
      const error = await failure(client().client.getSession({ sessionId }))
      expect(error.code).toBe('server')
      expect(fake().count('sessions/get') - before).toBe(4)
    })

    it('timeouts: a hung read is retried; a hung push is not; a hang past the deadline ends in time', async () => {
      const { sessionId, push } = await pushed()
      fake().inject({ kind: 'hang' }, { operation: 'sessions/get' })
      await client().client.getSession({ sessionId })
      expect(
        client()
          .history.list()
          .map((e) => e.error?.reason),
      ).toContain('attempt_timeout')
      fake().inject({ kind: 'hang' }, { operation: 'tracks/new', sessionId })
      const error = await failure(push())
      expect(error).toMatchObject({ code: 'timeout', reason: 'attempt_timeout', applied: 'maybe' })
      const short = makeClient({ policy: { deadlineMs: 600, attemptTimeoutMs: 400 } })
      fake().inject({ kind: 'hang' }, { operation: 'sessions/get' }, 100)
      const late = await failure(short.client.getSession({ sessionId }))
      expect(late).toMatchObject({ code: 'timeout', reason: 'deadline' })
    })

    it('connection reset: a read is retried; a push whose reply was lost is not repeated', async () => {
      const { sessionId, push } = await pushed()
      fake().inject({ kind: 'reset' }, { operation: 'sessions/get' })
      await client().client.getSession({ sessionId })
      fake().inject({ kind: 'reset', after: 'process' }, { operation: 'tracks/new', sessionId })
      const error = await failure(push())
      expect(error).toMatchObject({ code: 'network', reason: 'connection_lost', applied: 'maybe' })
      // The server did act: a blind retry would have pushed the track twice.
      const state = await client().client.getSession({ sessionId })
      expect(state.tracks).toHaveLength(1)
    })

    it('connection refused: nothing was sent, so even a push is retried and recovers', async () => {
      const { push } = await pushed()
      await fake().refuseConnections()
      client().hooks.beforeSleep = async () => {
        client().hooks.beforeSleep = undefined
        await fake().acceptConnections()
      }
      try {
        const result = await push()
        expect(result.failures).toEqual([])
        const reasons = client()
          .history.list()
          .map((e) => e.error?.reason)
        expect(reasons).toContain('connect_failed')
      } finally {
        if (!fake().listening) await fake().acceptConnections()
      }
    })

    it('malformed JSON: a typed bad_reply for a create (not repeated), a retry for a read', async () => {
      const before = fake().count('sessions/new')
      fake().inject({ kind: 'reply', status: 201, text: '{"sessionId": ' }, { operation: 'sessions/new' })
      const error = await failure(client().client.newSession())
      expect(error).toMatchObject({ code: 'server', reason: 'bad_reply' })
      expect(fake().count('sessions/new') - before).toBe(1)
      const { sessionId } = await client().client.newSession()
      fake().inject(
        { kind: 'reply', status: 200, text: '<html>502 Bad Gateway</html>' },
        { operation: 'sessions/get' },
      )
      const state = await client().client.getSession({ sessionId })
      expect(state.dataChannels).toEqual([])
    })

    it('injected per-track failure: typed partial failure with the answer still usable', async () => {
      const c = client()
      const { sessionId } = await c.client.newSession()
      const offer = await peer().pushOffer(['audio', 'video'])
      fake().state.failItem('cam-broken', 'internal_error')
      const error = await failure(
        c.client.newTracks({
          sessionId,
          sessionDescription: { type: 'offer', sdp: offer.sdp },
          tracks: [
            { location: 'local', mid: offer.mids[0]!, trackName: 'mic-ok' },
            { location: 'local', mid: offer.mids[1]!, trackName: 'cam-broken' },
          ],
        }),
      )
      expect(error.code).toBe('track_error')
      expect(error.items).toMatchObject([
        { index: 1, trackName: 'cam-broken', errorCode: 'internal_error', retryable: true },
      ])
      expect((error.partial as { sessionDescription?: { type: string } }).sessionDescription?.type).toBe(
        'answer',
      )
    })

    it('410 session gone: typed error, later calls fail fast, a new session recovers', async () => {
      const { sessionId, push } = await pushed()
      fake().state.expire(sessionId)
      const error = await failure(push())
      expect(error).toMatchObject({ code: 'session_gone', status: 410, retryable: false })
      const sent = fake().requests.length
      const fast = await failure(client().client.getSession({ sessionId }))
      expect(fast.reason).toBe('session_closed')
      expect(fake().requests.length).toBe(sent)
      const again = await pushed()
      expect((await again.push()).failures).toEqual([])
    })

    it('serialises state changes per session: one in flight, in call order', async () => {
      const c = client()
      const { sessionId } = await c.client.newSession()
      const p = peer()
      const offers = [await p.pushOffer(['audio']), await p.pushOffer(['video'])]
      fake().inject({ kind: 'delay', ms: 80 }, { operation: 'tracks/new', sessionId })
      const results = await Promise.all(
        offers.map((o, i) =>
          c.client.newTracks({
            sessionId,
            sessionDescription: { type: 'offer', sdp: o.sdp },
            tracks: [{ location: 'local', mid: o.mids[0]!, trackName: `t${i}` }],
          }),
        ),
      )
      expect(results.map((r) => r.tracks[0]?.trackName)).toEqual(['t0', 't1'])
      expect(fake().maxInFlight.get(sessionId)).toBe(1)
      const order = fake().requests.filter((r) => r.operation === 'tracks/new' && r.sessionId === sessionId)
      expect(order.map((r) => (r.body as { tracks: { trackName: string }[] }).tracks[0]?.trackName)).toEqual([
        't0',
        't1',
      ])
    })

    it('caller abort: rejects promptly with aborted, even while queued', async () => {
      const c = client()
      const { sessionId } = await c.client.newSession()
      fake().inject({ kind: 'hang' }, { operation: 'renegotiate', sessionId })
      const blocker = c.client.renegotiate({
        sessionId,
        sessionDescription: { type: 'answer', sdp: 'v=0\r\n' },
      })
      const controller = new AbortController()
      const queued = c.client.updateTracks(
        { sessionId, tracks: [{ mid: '0' }] },
        { signal: controller.signal },
      )
      controller.abort()
      expect(await failure(queued)).toMatchObject({ code: 'timeout', reason: 'aborted', applied: 'no' })
      expect((await failure(blocker)).reason).toBe('attempt_timeout')
    })

    it('never crashes on generated bad replies: always a CallsError', async () => {
      const c = makeClient({ policy: { maxAttempts: 1 } })
      let { sessionId } = await c.client.newSession()
      const body = fc.oneof(
        fc.string({ maxLength: 60 }),
        fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
        fc.constantFrom(
          '{"tracks":[{"status":1}]}',
          '{"dataChannels":"x"}',
          '{"tracks":null}',
          '{"errorCode":"boom"}',
        ),
      )
      const status = fc.constantFrom(
        200,
        201,
        204,
        301,
        400,
        401,
        404,
        406,
        410,
        418,
        425,
        429,
        500,
        502,
        503,
      )
      await fc.assert(
        fc.asyncProperty(status, body, async (s, text) => {
          if (c.client.isGone(sessionId)) sessionId = (await c.client.newSession()).sessionId
          fake().inject({ kind: 'reply', status: s, text }, { operation: 'sessions/get' })
          const outcome = await c.client.getSession({ sessionId }).then(
            (value) => ({ value }),
            (error: unknown) => ({ error }),
          )
          if ('error' in outcome) expect(outcome.error).toBeInstanceOf(CallsError)
          else expect(Array.isArray(outcome.value.tracks)).toBe(true)
        }),
        { numRuns: 60, seed: 7 },
      )
    })
  })
}
