import { env, evictDurableObject, runDurableObjectAlarm, runInDurableObject, SELF } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import type { RoomInfo } from '../../../shared/room/engine'
import type { Role } from '../../../shared/room/protocol'
import { signJoinToken } from '../../../shared/room/token'
import { roomBehaviourSuite } from '../../../test/helpers/roomBehaviour'
import { TestClient } from '../../../test/helpers/roomTestClient'
import type { RoomObject } from './RoomObject'
import { DoRoomStore } from './DoRoomStore'
import { openRoomSocket } from './testSocket'

const stub = (room: string) => env.ROOMS.get(env.ROOMS.idFromName(room))
const token = (room: string, name: string, role: Role, ttl = 3600) =>
  signJoinToken(env.JOIN_TOKEN_SECRET!, { v: 1, room, name, role, exp: Math.floor(Date.now() / 1000) + ttl })

async function info(room: string): Promise<RoomInfo> {
  const res = await SELF.fetch(`http://convene.test/rooms/${room}`, {
    headers: { authorization: `Bearer ${await token(room, 'probe', 'guest')}` },
  })
  expect(res.status).toBe(200)
  return res.json()
}

roomBehaviourSuite('Durable Object (workerd)', {
  checksTokens: true,
  heartbeatTimeoutMs: 30_000,
  graceMs: 30_000,
  connect: openRoomSocket,
  token,
  advance: (room, ms) => stub(room).advanceClockForTest(room, ms),
  restart: (room) => evictDurableObject(stub(room), { webSockets: 'close' }),
  info,
})

async function enter(room: string, name: string, role: Role = 'guest') {
  const c = new TestClient(await openRoomSocket(room), name)
  const w = await c.welcome(name, await token(room, name, role))
  return { c, id: w.you, secret: w.secret, welcome: w }
}

describe('room Durable Object: hibernation, alarms, storage', () => {
  it('wakes from hibernation with its sockets, participants and version intact', async () => {
    const room = `hibernate-${Date.now()}`
    const a = await enter(room, 'Ada')
    const b = await enter(room, 'Bo')
    await a.c.chat('before')
    const before = (await b.c.next('delta', (d) => d.change.kind === 'chat')).version
    await evictDurableObject(stub(room)) // hibernates: the sockets stay open, the instance is gone
    expect(
      await runInDurableObject(stub(room), (o: RoomObject) => (o as unknown as { engine: unknown }).engine),
    ).toBeNull()
    // Pings are answered by the runtime while the object sleeps.
    b.c.ping()
    await b.c.next('pong')
    await a.c.chat('after')
    const delta = await b.c.next('delta', (d) => d.change.kind === 'chat')
    expect(delta.version).toBe(before + 1)
    expect(delta.change.kind === 'chat' && delta.change.message).toMatchObject({ text: 'after', seq: 2 })
    // Nobody was marked disconnected by the wake-up.
    expect(b.c.all('delta').filter((d) => d.change.kind === 'updated')).toEqual([])
    expect(await info(room)).toMatchObject({ participants: 2, chatSeq: 2 })
  })

  it('stores a chat message and its counters together in the DO storage', async () => {
    const room = `storage-${Date.now()}`
    const a = await enter(room, 'Ada')
    await a.c.chat('kept')
    const stored = await runInDurableObject(stub(room), (_o, state) => ({
      head: state.storage.kv.get('head'),
      chat: state.storage.kv.get('chat:0'),
      meta: state.storage.kv.get<{ participants: unknown[] }>('meta')?.participants.length,
    }))
    expect(stored.head).toMatchObject({ chatSeq: 1 })
    expect(stored.chat).toMatchObject({ seq: 1, text: 'kept', from: a.id })
    expect(stored.meta).toBe(1)
  })

  it('group commit: holds frames until the write they follow is committed, and commits bursts together', async () => {
    const room = `commit-${Date.now()}`
    const seen = await runInDurableObject(stub(room), async (_o, state) => {
      const store = new DoRoomStore(state.storage)
      const log: string[] = []
      const head = (version: number) => ({ v: 1 as const, version, chatSeq: version, dmSeq: 0 })
      const msg = (seq: number) => ({ seq, id: `m${seq}`, from: 'p', name: 'Ada', text: `t${seq}`, at: 0 })
      store.output(() => log.push('before any write: sent at once'))
      store.write({ head: head(1), chat: [{ key: 'chat:0', message: msg(1) }] })
      store.output(() => log.push(`ack 1 sees ${JSON.stringify(state.storage.kv.get('chat:0'))}`))
      store.write({ head: head(2), chat: [{ key: 'chat:1', message: msg(2) }] })
      store.output(() =>
        log.push(`ack 2 sees head ${(state.storage.kv.get('head') as { version: number }).version}`),
      )
      const heldBeforeFlush = log.length
      await new Promise((r) => setTimeout(r, 20))
      return { log, heldBeforeFlush }
    })
    expect(seen.heldBeforeFlush).toBe(1)
    expect(seen.log).toEqual([
      'before any write: sent at once',
      `ack 1 sees ${JSON.stringify({ seq: 1, id: 'm1', from: 'p', name: 'Ada', text: 't1', at: 0 })}`,
      'ack 2 sees head 2',
    ])
  })

  it('schedules an alarm that evicts a silent participant when it fires', async () => {
    const room = `alarm-${Date.now()}`
    const a = await enter(room, 'Ada')
    const b = await enter(room, 'Bo')
    expect(await runInDurableObject(stub(room), (_o, state) => state.storage.getAlarm())).not.toBeNull()
    // Ada pings (runtime-answered, timestamped); Bo stays silent. Then time passes and the alarm runs.
    await stub(room).advanceClockForTest(room, 20_000)
    a.c.ping()
    await a.c.next('pong')
    await runInDurableObject(stub(room), (o: RoomObject) => o.skewClockForTest(room, 15_000))
    expect(await runDurableObjectAlarm(stub(room))).toBe(true)
    const left = await a.c.next('delta', (d) => d.change.kind === 'left')
    expect(left.change).toEqual({ kind: 'left', id: b.id, reason: 'timeout' })
    expect(await runInDurableObject(stub(room), (_o, state) => state.storage.getAlarm())).not.toBeNull()
  })

  it('deletes the room data a retention period after the last person left', async () => {
    const room = `retention-${Date.now()}`
    const a = await enter(room, 'Ada')
    await a.c.chat('soon gone')
    a.c.send({ type: 'leave' })
    await a.c.closed()
    const keys = () =>
      runInDurableObject(stub(room), (_o, state) => [...state.storage.kv.list()].map(([k]) => k))
    expect(await keys()).toContain('chat:0')
    // An early alarm changes nothing and re-arms itself.
    expect(await runDurableObjectAlarm(stub(room))).toBe(true)
    expect(await keys()).toContain('chat:0')
    await runInDurableObject(stub(room), (o: RoomObject) => o.skewClockForTest(room, 24 * 3600 * 1000))
    expect(await runDurableObjectAlarm(stub(room))).toBe(true)
    expect((await keys()).filter((k) => k !== 'room')).toEqual([])
  })
})
