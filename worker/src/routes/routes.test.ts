import { env, SELF } from 'cloudflare:test'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { verifyJoinToken } from '../../../shared/room/token'
import { route } from './router'

const base = 'http://convene.test'
const admin = { authorization: `Bearer ${env.ADMIN_TOKEN}`, 'content-type': 'application/json' }

async function mint(body: unknown, headers: Record<string, string> = admin): Promise<Response> {
  return SELF.fetch(`${base}/tokens`, { method: 'POST', headers, body: JSON.stringify(body) })
}

async function guestToken(room = 'calls-room'): Promise<string> {
  const res = await mint({ room, name: 'Ada', role: 'guest' })
  return ((await res.json()) as { token: string }).token
}

afterEach(() => vi.restoreAllMocks())

describe('POST /tokens', () => {
  it('mints a signed, expiring join token for the admin only', async () => {
    expect((await mint({ room: 'r', name: 'Ada', role: 'host' }, {})).status).toBe(401)
    expect(
      (await mint({ room: 'r', name: 'Ada', role: 'host' }, { authorization: 'Bearer wrong' })).status,
    ).toBe(401)
    const res = await mint({ room: 'standup', name: 'Ada', role: 'host', ttlSeconds: 600 })
    expect(res.status).toBe(200)
    const { token, expiresAt } = (await res.json()) as { token: string; expiresAt: number }
    expect(expiresAt).toBeGreaterThan(Date.now())
    const check = await verifyJoinToken(env.JOIN_TOKEN_SECRET!, token, { now: Date.now(), room: 'standup' })
    expect(check).toMatchObject({ ok: true, claims: { room: 'standup', name: 'Ada', role: 'host' } })
  })

  it('refuses bad requests with a message saying what is wrong', async () => {
    const cases: unknown[] = [
      { room: 'bad room', name: 'A', role: 'host' },
      { room: 'r', name: '', role: 'host' },
      { room: 'r', name: 'A', role: 'king' },
      { room: 'r', name: 'A', role: 'host', ttlSeconds: 10 ** 9 },
      { room: 'r', name: 'A', role: 'host', extra: 1 },
    ]
    for (const body of cases) {
      const res = await mint(body)
      expect(res.status, JSON.stringify(body)).toBe(400)
      expect(((await res.json()) as { error: string }).error).toBe('invalid')
    }
    const notJson = await SELF.fetch(`${base}/tokens`, { method: 'POST', headers: admin, body: '{' })
    expect(notJson.status).toBe(400)
  })
})

describe('Calls proxy', () => {
  it('forwards to the configured Calls app with the app secret, only for token holders', async () => {
    const upstream = vi.spyOn(globalThis, 'fetch').mockImplementation(
      async () =>
        new Response(JSON.stringify({ sessionId: 'sess-1' }), {
          status: 201,
          headers: { 'content-type': 'application/json', 'set-cookie': 'x=1' },
        }),
    )
    const path = `${base}/calls/v1/apps/convene/sessions/new?thirdparty=true`
    const body = JSON.stringify({ sessionDescription: { type: 'offer', sdp: 'v=0' } })
    expect((await SELF.fetch(path, { method: 'POST', body })).status).toBe(401)
    expect(upstream).not.toHaveBeenCalled()

    const res = await SELF.fetch(path, {
      method: 'POST',
      body,
      headers: {
        authorization: `Bearer ${await guestToken()}`,
        'content-type': 'application/json',
        cookie: 'session=abc',
      },
    })
    expect(res.status).toBe(201)
    expect(await res.json()).toEqual({ sessionId: 'sess-1' })
    expect(res.headers.get('set-cookie')).toBeNull()
    expect(upstream).toHaveBeenCalledTimes(1)
    const [url, init] = upstream.mock.calls[0]!
    expect(String(url)).toBe('http://127.0.0.1:9/v1/apps/test-app-id/sessions/new?thirdparty=true')
    const headers = new Headers(init?.headers)
    expect(headers.get('authorization')).toBe(`Bearer ${env.CALLS_APP_SECRET}`)
    expect(headers.get('content-type')).toBe('application/json')
    expect(headers.get('cookie')).toBeNull()
    expect(init?.method).toBe('POST')
    expect(new TextDecoder().decode(init?.body as ArrayBuffer)).toBe(body)
  })

  it('passes upstream errors through and answers 502 when the upstream is unreachable', async () => {
    const token = await guestToken()
    const auth = { authorization: `Bearer ${token}` }
    // Responses are built inside the mock: workerd ties a body to the request that created it.
    vi.spyOn(globalThis, 'fetch').mockImplementationOnce(
      async () =>
        new Response(JSON.stringify({ errorCode: 'session_error' }), {
          status: 400,
          headers: { 'content-type': 'application/json' },
        }),
    )
    const passed = await SELF.fetch(`${base}/calls/v1/apps/convene/sessions/s1`, { headers: auth })
    expect(passed.status).toBe(400)
    expect(await passed.json()).toEqual({ errorCode: 'session_error' })
    vi.spyOn(globalThis, 'fetch').mockRejectedValueOnce(new TypeError('connect failed'))
    const down = await SELF.fetch(`${base}/calls/v1/apps/convene/sessions/s1`, { headers: auth })
    expect(down.status).toBe(502)
  })

  it('refuses paths outside the Calls API shape', async () => {
    const upstream = vi.spyOn(globalThis, 'fetch').mockImplementation(async () => {
      throw new Error('must not be called')
    })
    const auth = { authorization: `Bearer ${await guestToken()}` }
    for (const rest of ['../../other-app/sessions/new', 'sessions/%00', 'sessions/a;b', 'sessions/a:b', '']) {
      const res = await SELF.fetch(`${base}/calls/v1/apps/convene/${rest}`, { headers: auth })
      expect([401, 404], rest).toContain(res.status)
    }
    expect(upstream).not.toHaveBeenCalled()
  })

  it('answers 500 "misconfigured" when the app secret is missing, without leaking which', async () => {
    const req = new Request(`${base}/calls/v1/apps/convene/sessions/new`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await guestToken()}` },
    })
    const res = await route(req, { ...env, CALLS_APP_SECRET: undefined })
    expect(res.status).toBe(500)
    expect(await res.json()).toMatchObject({ error: 'misconfigured' })
  })
})

describe('room routes', () => {
  it('needs a token for that room to read room info, and a host token to export', async () => {
    const room = `info-${Date.now()}`
    expect((await SELF.fetch(`${base}/rooms/${room}`)).status).toBe(401)
    const other = await guestToken('other')
    expect(
      (await SELF.fetch(`${base}/rooms/${room}`, { headers: { authorization: `Bearer ${other}` } })).status,
    ).toBe(401)
    const mine = await guestToken(room)
    const ok = await SELF.fetch(`${base}/rooms/${room}`, { headers: { authorization: `Bearer ${mine}` } })
    expect(await ok.json()).toMatchObject({ room, participants: 0, locked: false })
    const exp = await SELF.fetch(`${base}/rooms/${room}/export`, {
      headers: { authorization: `Bearer ${mine}` },
    })
    expect(exp.status).toBe(403)
    expect((await SELF.fetch(`${base}/rooms/${room}/socket`)).status).toBe(426)
    expect((await SELF.fetch(`${base}/rooms/bad%20room`)).status).toBe(404)
    expect((await SELF.fetch(`${base}/nowhere`)).status).toBe(404)
  })

  it('exports a room and imports it into an empty one, validating the file', async () => {
    const room = `export-${Date.now()}`
    const host = await (await mint({ room, name: 'Ada', role: 'host' })).json<{ token: string }>()
    const { TestClient } = await import('../../../test/helpers/roomTestClient')
    const { openRoomSocket } = await import('../room/testSocket')
    const c = new TestClient(await openRoomSocket(room), 'Ada')
    await c.welcome('Ada', host.token)
    await c.chat('first')
    await c.chat('second')
    const doc = await (
      await SELF.fetch(`${base}/rooms/${room}/export`, { headers: { authorization: `Bearer ${host.token}` } })
    ).json<{ chat: { text: string }[] }>()
    expect(doc.chat.map((m) => m.text)).toEqual(['first', 'second'])
    const copy = `${room}-copy`
    const copyHost = await (await mint({ room: copy, name: 'Ada', role: 'host' })).json<{ token: string }>()
    const post = (body: string) =>
      SELF.fetch(`${base}/rooms/${copy}/import`, {
        method: 'POST',
        headers: { authorization: `Bearer ${copyHost.token}` },
        body,
      })
    expect((await post('{"format":"convene-room","v":2}')).status).toBe(400)
    expect((await post('not json')).status).toBe(400)
    expect((await post(JSON.stringify(doc))).status).toBe(200)
    const d = new TestClient(await openRoomSocket(copy), 'Bo')
    const w = await d.welcome('Bo', copyHost.token)
    expect(w.view.chat.map((m) => m.text)).toEqual(['first', 'second'])
    expect((await post(JSON.stringify(doc))).status).toBe(409)
  })
})
