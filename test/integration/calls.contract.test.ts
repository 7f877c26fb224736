import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Services } from '../../electron/main/app/services'
import type { InvokeName, RequestOf, ResponseOf } from '../../shared/ipc/contract'
import type { Result } from '../../shared/ipc/result'
import type { LogEntry } from '../../shared/ipc/contract'
import { CONTRACT_POLICY, runCallsContract } from '../helpers/callsContract'
import { FakeCallsServer } from '../helpers/fakeCalls/FakeCallsServer'
import { syntheticPeer } from '../helpers/fakeCalls/sdp'
import { makeServices } from '../helpers/services'

runCallsContract(
  'fake Calls server',
  async () => {
    const fake = await FakeCallsServer.start()
    return {
      kind: 'cloudflare',
      calls: { baseUrl: fake.callsBaseUrl, token: fake.token },
      turn: { baseUrl: fake.turnBaseUrl, token: fake.turnToken },
      newPeer: () => syntheticPeer(),
      fake,
      close: () => fake.close(),
    }
  },
  { faults: true, turn: true, adapters: true, dataChannels: true },
)

describe('Calls over IPC: services, router and the fake server', () => {
  let fake: FakeCallsServer
  let services: Services
  let logs: LogEntry[]
  let dataDir: string
  /** Everything the renderer side received. */
  const responses: Array<Result<unknown>> = []
  const trusted = { senderId: 'wc:1', trusted: true }
  const rejections: unknown[] = []
  const onRejection = (reason: unknown) => void rejections.push(reason)

  async function call<K extends InvokeName>(channel: K, request: RequestOf<K>): Promise<Result<unknown>> {
    const result = await services.router.dispatch(channel, request, trusted)
    responses.push(result)
    return result
  }
  async function value<K extends InvokeName>(channel: K, request: RequestOf<K>): Promise<ResponseOf<K>> {
    const result = await call(channel, request)
    if (!result.ok) throw new Error(`${channel} failed: ${JSON.stringify(result.error)}`)
    return result.value as ResponseOf<K>
  }

  beforeAll(async () => {
    process.on('unhandledRejection', onRejection)
    fake = await FakeCallsServer.start()
    const made = await makeServices(undefined, {
      calls: { cloudflareApiBase: `${fake.origin}/v1`, policy: { ...CONTRACT_POLICY, deadlineMs: 1_500 } },
    })
    ;({ services, logs, dataDir } = made)
    await value('settings:update', {
      patch: { backend: 'cloudflare', cloudflare: { appId: fake.appId, turnKeyId: fake.turnKeyId } },
    })
    await value('vault:setSecret', { name: 'callsAppSecret', value: fake.token })
    await value('vault:setSecret', { name: 'turnApiToken', value: fake.turnToken })
  })
  afterAll(async () => {
    await fake.close()
    process.off('unhandledRejection', onRejection)
    expect(rejections).toEqual([])
  })

  it('drives a push and a pull with partial failure over IPC', async () => {
    const peer = syntheticPeer()
    const pub = await value('calls:newSession', { correlationId: 'meeting-ipc' })
    const offer = await peer.pushOffer(['audio'])
    const pushed = await value('calls:newTracks', {
      sessionId: pub.sessionId,
      sessionDescription: { type: 'offer', sdp: offer.sdp },
      tracks: [{ location: 'local', mid: offer.mids[0]!, trackName: 'mic' }],
    })
    expect(pushed).toMatchObject({
      requiresImmediateRenegotiation: false,
      failures: [],
      sessionDescription: { type: 'answer' },
    })
    expect(fake.requests.at(-1)?.authorization).toBe(`Bearer ${fake.token}`)

    const sub = await value('calls:newSession', {})
    // One track exists, one does not: the offer must still reach the renderer, with the failure listed.
    const partial = await value('calls:newTracks', {
      sessionId: sub.sessionId,
      tracks: [
        { location: 'remote', sessionId: pub.sessionId, trackName: 'mic' },
        { location: 'remote', sessionId: pub.sessionId, trackName: 'never' },
      ],
    })
    expect(partial.sessionDescription?.type).toBe('offer')
    expect(partial.failures).toMatchObject([
      { index: 1, trackName: 'never', errorCode: 'not_found_track_error' },
    ])
    const answer = await peer.answer(partial.sessionDescription!.sdp)
    await value('calls:renegotiate', {
      sessionId: sub.sessionId,
      sessionDescription: { type: 'answer', sdp: answer },
    })

    // Nothing succeeded and nothing to apply: a typed error with the items as issues.
    const none = await call('calls:newTracks', {
      sessionId: sub.sessionId,
      tracks: [{ location: 'remote', sessionId: pub.sessionId, trackName: 'never' }],
    })
    expect(none).toMatchObject({
      ok: false,
      error: { code: 'track_error', retryable: true, issues: ['never: not_found_track_error'] },
    })

    const closed = await value('calls:closeTracks', {
      sessionId: pub.sessionId,
      tracks: [{ mid: offer.mids[0]! }],
      force: true,
    })
    expect(closed.tracks).toEqual([{ mid: offer.mids[0], alreadyClosed: false }])
    const state = await value('calls:getSession', { sessionId: sub.sessionId })
    expect(state.tracks).toHaveLength(1)
  })

  it('maps failures to the AppError envelope (session_gone, unauthorized, server)', async () => {
    const { sessionId } = await value('calls:newSession', {})
    fake.state.expire(sessionId)
    expect(await call('calls:getSession', { sessionId })).toMatchObject({
      ok: false,
      error: { code: 'session_gone', retryable: false },
    })
    fake.inject({ kind: 'reply', status: 503, text: 'down' }, { operation: 'sessions/new' })
    expect(await call('calls:newSession', {})).toMatchObject({
      ok: false,
      error: { code: 'server', retryable: true },
    })
    // A server that echoes the credential back in its error must not get it to the renderer.
    fake.inject(
      {
        kind: 'reply',
        status: 401,
        json: { errorCode: 'unauthorized', errorDescription: `bad token ${fake.token}` },
      },
      { operation: 'sessions/new' },
    )
    const refused = await call('calls:newSession', {})
    expect(refused).toMatchObject({ ok: false, error: { code: 'unauthorized', retryable: false } })
    if (!refused.ok) expect(refused.error.message).toMatch(/Settings/)
  })

  it('serves ICE servers for the browser: TURN credentials yes, port 53 and the TURN API token no', async () => {
    const ice = await value('turn:getIceServers', {})
    const urls = ice.iceServers.flatMap((s) => s.urls)
    expect(urls.some((u) => u.startsWith('turn:'))).toBe(true)
    expect(urls.some((u) => /:53(\?|$)/.test(u))).toBe(false)
    expect(ice.refreshAt).toBeLessThan(ice.expiresAt!)
    const again = await value('turn:getIceServers', {})
    expect(again.expiresAt).toBe(ice.expiresAt)
  })

  it('follows Settings: a missing server token, then the local SFU registered by the embedded backend', async () => {
    await value('settings:update', {
      patch: { backend: 'worker', worker: { url: 'https://meet.example.org' } },
    })
    const missing = await call('calls:newSession', {})
    expect(missing).toMatchObject({ ok: false, error: { code: 'unauthorized', retryable: false } })
    if (!missing.ok) expect(missing.error.message).toMatch(/token is missing/)

    await value('settings:update', { patch: { backend: 'local' } })
    const notRunning = await call('calls:newSession', {})
    expect(notRunning).toMatchObject({ ok: false, error: { code: 'network', retryable: true } })
    services.calls.setLocalSfu({ baseUrl: fake.callsBaseUrl, token: fake.token })
    const local = await value('calls:newSession', {})
    expect(local.sessionId).toBeTruthy()
    expect(await value('turn:getIceServers', {})).toEqual({
      iceServers: [],
      expiresAt: null,
      refreshAt: null,
    })
    await value('settings:update', { patch: { backend: 'cloudflare' } })
  })

  it('never lets a credential reach the renderer side of IPC or the logs', async () => {
    const history = await value('diagnostics:getApiHistory', {})
    expect(history.entries.length).toBeGreaterThan(5)
    expect(history.entries.some((e) => JSON.stringify(e.request ?? '').includes('sdp'))).toBe(true)
    await value('diagnostics:getLog', { limit: 5000 })
    const ice = await value('turn:getIceServers', {})
    const turnCredential = ice.iceServers.find((s) => s.credential)?.credential ?? ''
    expect(turnCredential).not.toBe('')
    const renderer = JSON.stringify(responses)
    const logText = JSON.stringify(logs) + readFileSync(join(dataDir, 'convene.log'), 'utf8')
    for (const secret of [fake.token, fake.turnToken]) {
      expect(renderer).not.toContain(secret)
      expect(logText).not.toContain(secret)
      expect(JSON.stringify(history)).not.toContain(secret)
    }
    // TURN credentials must reach the browser (it dials the relay), but never the logs or the history.
    expect(logText).not.toContain(turnCredential)
    expect(JSON.stringify(history)).not.toContain(turnCredential)
    // The check can fail: the secrets really were used on the wire.
    expect(fake.requests.some((r) => r.authorization === `Bearer ${fake.token}`)).toBe(true)
    expect(fake.requests.some((r) => r.authorization === `Bearer ${fake.turnToken}`)).toBe(true)
  })
})
