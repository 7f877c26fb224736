import { describe, expect, it } from 'vitest'
import { createLogger } from '../../../shared/log/logger'
import { Redactor } from '../../../shared/log/redact'
import { virtualClock } from '../../../test/helpers/fakeCalls/virtualClock'
import { createCallsStack } from './createCallsService'
import { filterServers, iceUrlPort } from './TurnClient'
import type { TurnSource } from './targets'

describe('port-53 filtering', () => {
  it('reads the port of stun/turn URLs, IPv6 included', () => {
    expect(iceUrlPort('turn:turn.cloudflare.com:53?transport=udp')).toBe(53)
    expect(iceUrlPort('turns:turn.cloudflare.com:5349?transport=tcp')).toBe(5349)
    expect(iceUrlPort('stun:[2606:4700:48::1]:53')).toBe(53)
    expect(iceUrlPort('stun:stun.example.org')).toBeUndefined()
    expect(iceUrlPort('https://x:53')).toBeUndefined()
  })

  it('drops port-53 URLs for browsers only, and servers left with none', () => {
    const servers = [
      { urls: ['stun:s:53'] },
      { urls: ['turn:t:3478?transport=udp', 'turn:t:53?transport=udp'], username: 'u', credential: 'c' },
    ]
    expect(filterServers(servers, true)).toEqual([
      { urls: ['turn:t:3478?transport=udp'], username: 'u', credential: 'c' },
    ])
    expect(filterServers(servers, false)).toEqual(servers)
  })
})

describe('TurnClient', () => {
  function setup(
    source: TurnSource = {
      type: 'api',
      endpoint: {
        kind: 'cloudflare',
        baseUrl: 'http://127.0.0.1:1/v1/turn/keys/k',
        auth: { type: 'bearer', token: 't'.repeat(40) },
      },
    },
  ) {
    const time = virtualClock()
    const requests: Array<{ url: string; body: unknown }> = []
    let n = 0
    const fetch: typeof globalThis.fetch = async (input, init) => {
      requests.push({ url: String(input), body: init?.body ? JSON.parse(String(init.body)) : undefined })
      if (String(input).endsWith('/revoke')) return new Response(null, { status: 204 })
      n += 1
      return new Response(
        JSON.stringify({
          iceServers: [{ urls: ['turn:t:3478', 'turn:t:53'], username: `user${n}`, credential: `pass${n}` }],
        }),
        { status: 201 },
      )
    }
    const stack = createCallsStack({
      log: createLogger('t', [], new Redactor()),
      redactor: new Redactor(),
      resolveTarget: () => ({ kind: 'local', baseUrl: 'http://127.0.0.1:1', auth: { type: 'none' } }),
      resolveTurn: () => source,
      tuning: { clock: time.clock, fetch, turnTtlSeconds: 3600 },
    })
    return { time, requests, turn: stack.turn }
  }

  it('mints with the TTL, reuses until refreshAt, then mints again before expiry', async () => {
    const { time, requests, turn } = setup()
    const first = await turn.getIceServers()
    expect(requests[0]).toMatchObject({
      url: 'http://127.0.0.1:1/v1/turn/keys/k/credentials/generate-ice-servers',
      body: { ttl: 3600 },
    })
    expect(first.expiresAt! - time.now).toBe(3_600_000)
    expect(first.refreshAt!).toBeLessThan(first.expiresAt!)
    expect(first.iceServers).toEqual([{ urls: ['turn:t:3478'], username: 'user1', credential: 'pass1' }])
    time.advance(first.refreshAt! - time.now - 1)
    expect((await turn.getIceServers()).iceServers[0]?.username).toBe('user1')
    time.advance(2)
    const second = await turn.getIceServers()
    expect(second.iceServers[0]?.username).toBe('user2')
    expect(second.expiresAt!).toBeGreaterThan(first.expiresAt!)
    expect(requests).toHaveLength(2)
  })

  it('shares one mint between concurrent requests', async () => {
    const { requests, turn } = setup()
    const [a, b] = await Promise.all([turn.getIceServers(), turn.getIceServers()])
    expect(a.iceServers).toEqual(b.iceServers)
    expect(requests).toHaveLength(1)
  })

  it('revokes by username and forgets cached credentials it revoked', async () => {
    const { requests, turn } = setup()
    await turn.getIceServers()
    await turn.revoke('user1')
    expect(requests[1]?.url).toBe('http://127.0.0.1:1/v1/turn/keys/k/credentials/user1/revoke')
    expect((await turn.getIceServers()).iceServers[0]?.username).toBe('user2')
  })

  it('returns static servers without any request', async () => {
    const { requests, turn } = setup({
      type: 'static',
      kind: 'cloudflare',
      iceServers: [{ urls: ['stun:s:3478', 'stun:s:53'] }],
    })
    expect(await turn.getIceServers()).toEqual({
      iceServers: [{ urls: ['stun:s:3478'] }],
      expiresAt: null,
      refreshAt: null,
    })
    await turn.revoke('x')
    expect(requests).toHaveLength(0)
  })
})
