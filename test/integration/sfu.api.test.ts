import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  ApiErrorBody,
  GetSessionStateResponse,
  NewSessionResponse,
  TracksResponse,
} from '../../shared/calls/schemas'
import { createLogger } from '../../shared/log/logger'
import { Redactor } from '../../shared/log/redact'
import { startSfu, type SfuServer } from '../../server/sfu'
import { SfuApi, SfuHttpError } from '../helpers/sfuApi'
import { closeRetained, waitFor, wrtc } from '../helpers/wrtcClient'

const log = createLogger('test', [], new Redactor())
let sfu: SfuServer
let api: SfuApi

beforeAll(async () => {
  sfu = await startSfu({ log, corsOrigins: ['http://127.0.0.1:9'], timings: { idleMs: 1500 } })
  api = new SfuApi(sfu.baseUrl, sfu.token)
})
afterAll(async () => {
  await sfu.close()
})

/** A real client offer with the given sendonly m-lines (libwebrtc via wrtc). */
async function clientOffer(kinds: readonly ('audio' | 'video')[]): Promise<{ sdp: string; mids: string[] }> {
  const pc = new wrtc.RTCPeerConnection({ bundlePolicy: 'max-bundle' })
  try {
    const transceivers = kinds.map((k) => pc.addTransceiver(k, { direction: 'sendonly' }))
    const offer = await pc.createOffer()
    await pc.setLocalDescription(offer)
    return { sdp: pc.localDescription!.sdp, mids: transceivers.map((t) => t.mid!) }
  } finally {
    closeRetained(pc)
  }
}

async function errorOf(promise: Promise<unknown>): Promise<SfuHttpError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  if (!(error instanceof SfuHttpError)) throw new Error(`expected an SFU error, got ${String(error)}`)
  return error
}

async function rawError(res: Response): Promise<{ status: number; body: ApiErrorBody }> {
  return { status: res.status, body: ApiErrorBody.parse(await res.json()) }
}

describe('Calls API shape of the local SFU', () => {
  it('refuses requests without the launch token, in the Calls error shape', async () => {
    const none = await fetch(`${sfu.baseUrl}/sessions/new`, { method: 'POST' })
    expect(await rawError(none)).toMatchObject({ status: 401, body: { errorCode: 'unauthorized' } })
    const wrong = await api.raw('POST', 'sessions/new', undefined, `${sfu.token}x`)
    expect(wrong.status).toBe(401)
    expect((await fetch(`${sfu.origin}/healthz`)).status).toBe(200)
  })

  it('creates sessions with and without an offer', async () => {
    const bare = await api.raw('POST', 'sessions/new')
    expect(bare.status).toBe(201)
    expect(NewSessionResponse.parse(await bare.json()).sessionDescription).toBeUndefined()
    const { sdp } = await clientOffer(['audio'])
    const withOffer = await api.newSession({ type: 'offer', sdp })
    expect(withOffer.sessionDescription?.type).toBe('answer')
    expect(withOffer.sessionDescription?.sdp).toMatch(/a=candidate:.* 127\.0\.0\.1 /)
    expect(withOffer.sessionDescription?.sdp).toContain('a=ice-lite')
  })

  it('answers 404 for unknown apps and paths, 410 for closed or unknown sessions', async () => {
    const otherApp = await fetch(sfu.baseUrl.replace('/apps/local', '/apps/other') + '/sessions/new', {
      method: 'POST',
      headers: { authorization: `Bearer ${sfu.token}` },
    })
    expect(await rawError(otherApp)).toMatchObject({ status: 404, body: { errorCode: 'not_found' } })
    // An id this SFU never issued: 410 like an expired one (after a backend restart, every old id is unknown).
    expect((await errorOf(api.session('0123456789abcdef0123456789abcdef'))).status).toBe(410)
    expect((await api.raw('GET', 'nothing/here')).status).toBe(404)
    const { sessionId } = await api.newSession()
    await api.deleteSession(sessionId)
    const gone = await errorOf(api.session(sessionId))
    expect([gone.status, gone.body?.errorCode]).toEqual([410, 'session_error'])
  })

  it('rejects undecodable bodies with 400 and unusable requests with 406', async () => {
    const { sessionId } = await api.newSession()
    const notJson = await fetch(`${sfu.baseUrl}/sessions/${sessionId}/tracks/new`, {
      method: 'POST',
      headers: { authorization: `Bearer ${sfu.token}`, 'content-type': 'application/json' },
      body: '{nope',
    })
    expect(await rawError(notJson)).toMatchObject({ status: 400, body: { errorCode: 'decoding_error' } })
    const badShape = await api.raw('POST', `sessions/${sessionId}/tracks/new`, { tracks: 'all of them' })
    expect(await rawError(badShape)).toMatchObject({ status: 400, body: { errorCode: 'decoding_error' } })
    const nothing = await errorOf(api.tracksNew(sessionId, {}))
    expect([nothing.status, nothing.body?.errorCode]).toEqual([406, 'invalid_params'])
    // A local track without an offer is the SFU-offer flow, which needs a kind: a failed item in a 200.
    const noKind = await api.tracksNew(sessionId, {
      tracks: [{ location: 'local', trackName: 'mic', mid: '0' }],
    })
    expect(noKind.requiresImmediateRenegotiation).toBe(false)
    expect(noKind.tracks?.[0]?.errorCode).toBe('invalid_params')
    const strayAnswer = await errorOf(api.renegotiate(sessionId, { type: 'answer', sdp: 'v=0\r\n' }))
    expect([strayAnswer.status, strayAnswer.body?.errorCode]).toEqual([406, 'invalid_session_description'])
    const huge = await api.raw('POST', `sessions/${sessionId}/tracks/new`, { pad: 'x'.repeat(1_100_000) })
    expect(await rawError(huge)).toMatchObject({ status: 413, body: { errorCode: 'payload_too_large' } })
  })

  it('reports per-track failures inside a 200', async () => {
    const { sessionId } = await api.newSession()
    const pull = await api.tracksNew(sessionId, {
      tracks: [{ location: 'remote', sessionId: '0123456789abcdef0123456789abcdef', trackName: 'ghost' }],
    })
    expect(pull.requiresImmediateRenegotiation).toBe(false)
    expect(pull.tracks?.[0]?.errorCode).toBe('not_found_track_error')
    const close = await api.tracksClose(sessionId, { tracks: [{ mid: '7' }], force: true })
    expect(close.tracks).toEqual([
      {
        mid: '7',
        errorCode: 'close_track_error',
        errorDescription: "Track doesn't exist or was already closed",
      },
    ])
    const update = await api.tracksUpdate(sessionId, {
      tracks: [{ location: 'remote', mid: '7', simulcast: { preferredRid: 'h' } }],
    })
    expect(update.tracks?.[0]?.errorCode).toBe('update_track_error')
  })

  it('publishes named, auto-discovered and repeated tracks and lists them', async () => {
    const { sessionId } = await api.newSession()
    const named = await clientOffer(['audio', 'video'])
    const reply = await api.tracksNew(sessionId, {
      sessionDescription: { type: 'offer', sdp: named.sdp },
      tracks: [{ location: 'local', mid: named.mids[0]!, trackName: 'mic' }],
      autoDiscover: true,
    })
    expect(reply.sessionDescription?.type).toBe('answer')
    expect(reply.tracks?.map((t) => [t.mid, t.kind, t.errorCode])).toEqual([
      [named.mids[0], 'audio', undefined],
      [named.mids[1], 'video', undefined],
    ])
    expect(reply.tracks?.[1]?.trackName).toMatch(/^[0-9a-f-]{36}$/)
    const state = GetSessionStateResponse.parse(await api.session(sessionId))
    expect(state.tracks?.map((t) => [t.location, t.trackName === 'mic', t.status])).toEqual([
      ['local', true, 'active'],
      ['local', false, 'active'],
    ])

    const { sessionId: other } = await api.newSession()
    const again = await clientOffer(['audio', 'audio'])
    const repeated = TracksResponse.parse(
      await api.tracksNew(other, {
        sessionDescription: { type: 'offer', sdp: again.sdp },
        tracks: again.mids.map((mid) => ({ location: 'local' as const, mid, trackName: 'same' })),
      }),
    )
    expect(repeated.tracks?.map((t) => t.errorCode)).toEqual([undefined, 'repeated_local_track_error'])
  })

  it('lets allowed browser origins call it (CORS) and nobody else', async () => {
    const preflight = await fetch(`${sfu.baseUrl}/sessions/new`, {
      method: 'OPTIONS',
      headers: { origin: 'http://127.0.0.1:9', 'access-control-request-method': 'POST' },
    })
    expect(preflight.status).toBe(204)
    expect(preflight.headers.get('access-control-allow-origin')).toBe('http://127.0.0.1:9')
    const stranger = await fetch(`${sfu.baseUrl}/sessions/new`, {
      method: 'OPTIONS',
      headers: { origin: 'http://evil.test' },
    })
    expect(stranger.headers.get('access-control-allow-origin')).toBeNull()
  })

  it('limits each session to 50 requests per second', async () => {
    const { sessionId } = await api.newSession()
    const statuses = await Promise.all(
      Array.from({ length: 70 }, () => api.raw('GET', `sessions/${sessionId}`).then((r) => r.status)),
    )
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThan(0)
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThanOrEqual(50)
  })

  it('drops a session that never connects after the idle timeout', async () => {
    const { sessionId } = await api.newSession()
    const before = sfu.stats().closedSessions
    // Every session of this file idles out (none connects), so a rising count alone may be an earlier one: wait
    // for all of them to go, ours included. Polling the API would count as activity and keep ours alive.
    await waitFor(() => sfu.stats().sessions === 0, 'the idle sessions to close', 15_000)
    expect(sfu.stats().closedSessions).toBeGreaterThan(before)
    expect((await errorOf(api.session(sessionId))).status).toBe(410)
  })
})
