import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createLogger } from '../../shared/log/logger'
import { Redactor } from '../../shared/log/redact'
import type { RoomInfo } from '../../shared/room/engine'
import { signJoinToken } from '../../shared/room/token'
import { manualClock } from '../../test/helpers/manualClock'
import { roomBehaviourSuite } from '../../test/helpers/roomBehaviour'
import { TestClient } from '../../test/helpers/roomTestClient'
import { openSocket } from '../../test/helpers/wsRawSocket'
import { startRoomHub, type RoomHub } from './RoomHub'

const log = createLogger('test', [], new Redactor())
const SECRET = 'hub-test-secret'

describe('room hub over real WebSockets', () => {
  const clock = manualClock()
  const storageDir = mkdtempSync(join(tmpdir(), 'convene-hub-'))
  let hub: RoomHub
  const start = (port = 0) =>
    startRoomHub({ log, tokenSecret: SECRET, storageDir, clock, port }).then((h) => (hub = h))

  beforeAll(() => start())
  afterAll(() => hub.close())

  const token = (room: string, name: string, role: 'host' | 'cohost' | 'guest', ttl = 3600) =>
    signJoinToken(SECRET, { v: 1, room, name, role, exp: Math.floor(clock.now() / 1000) + ttl })

  roomBehaviourSuite('local hub', {
    checksTokens: true,
    heartbeatTimeoutMs: 30_000,
    graceMs: 30_000,
    connect: (room) => openSocket(hub.socketUrl(room)),
    token,
    advance: async (_room, ms) => clock.advance(ms),
    restart: async () => {
      const port = hub.port
      await hub.close()
      await start(port)
    },
    info: async (room) => {
      const res = await fetch(`${hub.origin}/rooms/${room}`, {
        headers: { authorization: `Bearer ${await token(room, 'probe', 'guest')}` },
      })
      expect(res.status).toBe(200)
      return (await res.json()) as RoomInfo
    },
  })

  it('serves room info only to holders of a token for that room, and export/import only to hosts', async () => {
    const room = 'http-room'
    expect((await fetch(`${hub.origin}/rooms/${room}`)).status).toBe(401)
    const other = await token('other-room', 'x', 'host')
    expect(
      (await fetch(`${hub.origin}/rooms/${room}`, { headers: { authorization: `Bearer ${other}` } })).status,
    ).toBe(401)
    const guest = await token(room, 'g', 'guest')
    expect(
      (await fetch(`${hub.origin}/rooms/${room}/export`, { headers: { authorization: `Bearer ${guest}` } }))
        .status,
    ).toBe(401)
    const c = new TestClient(await openSocket(hub.socketUrl(room)), 'Ada')
    await c.welcome('Ada', await token(room, 'Ada', 'host'))
    await c.chat('exported')
    const host = { authorization: `Bearer ${await token(room, 'h', 'host')}` }
    const doc = (await (await fetch(`${hub.origin}/rooms/${room}/export`, { headers: host })).json()) as {
      chat: unknown[]
    }
    expect(doc).toMatchObject({ format: 'convene-room', v: 1, chatSeq: 1 })
    const target = 'http-room-copy'
    const hostCopy = { authorization: `Bearer ${await token(target, 'h', 'host')}` }
    const bad = await fetch(`${hub.origin}/rooms/${target}/import`, {
      method: 'POST',
      headers: hostCopy,
      body: '{"format":"x"}',
    })
    expect(bad.status).toBe(400)
    const ok = await fetch(`${hub.origin}/rooms/${target}/import`, {
      method: 'POST',
      headers: hostCopy,
      body: JSON.stringify(doc),
    })
    expect(ok.status).toBe(200)
    const d = new TestClient(await openSocket(hub.socketUrl(target)), 'Bo')
    const w = await d.welcome('Bo', await token(target, 'Bo', 'guest'))
    expect(w.view.chat.map((m) => m.text)).toEqual(['exported'])
    const busy = await fetch(`${hub.origin}/rooms/${target}/import`, {
      method: 'POST',
      headers: hostCopy,
      body: JSON.stringify(doc),
    })
    expect(busy.status).toBe(409)
  })

  it('refuses sockets on unknown paths and bad room names', async () => {
    await expect(openSocket(`ws://127.0.0.1:${hub.port}/rooms/bad%20name/socket`)).rejects.toThrow()
    await expect(openSocket(`ws://127.0.0.1:${hub.port}/elsewhere`)).rejects.toThrow()
  })
})

describe('room hub without a token secret (local single-machine mode)', () => {
  it('lets anyone on the loopback join by name; the first is host', async () => {
    const hub = await startRoomHub({ log })
    try {
      const a = new TestClient(await openSocket(hub.socketUrl('open')), 'Ada')
      const w = await a.welcome('Ada')
      expect(w.view.participants[0]).toMatchObject({ name: 'Ada', role: 'host' })
    } finally {
      await hub.close()
    }
  })
})
