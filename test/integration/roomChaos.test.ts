import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import { backoffWithJitter } from '../../electron/main/room/connection'
import { OutboxStore } from '../../electron/main/room/OutboxStore'
import { RoomClient } from '../../electron/main/room/RoomClient'
import { startRoomHub, type RoomHub } from '../../server/hub/RoomHub'
import { createLogger } from '../../shared/log/logger'
import { Redactor } from '../../shared/log/redact'
import { TestClient } from '../helpers/roomTestClient'
import { openSocket } from '../helpers/wsRawSocket'
import { startChaosProxy } from '../helpers/chaosProxy'

const log = createLogger('chaos', [], new Redactor())

/** Poll until `probe` is true; fail with `what` after `ms`. */
async function eventually(what: string, probe: () => boolean, ms = 20_000): Promise<void> {
  const end = Date.now() + ms
  while (!probe()) {
    if (Date.now() > end) throw new Error(`timed out: ${what}`)
    await sleep(20)
  }
}

describe('room chaos: restarts and crashes lose no chat and duplicate none', () => {
  const storageDir = mkdtempSync(join(tmpdir(), 'convene-chaos-hub-'))
  const outboxDir = mkdtempSync(join(tmpdir(), 'convene-chaos-outbox-'))
  let hub: RoomHub
  const hubs: RoomHub[] = []
  const startHub = async (port = 0) => {
    hub = await startRoomHub({ log, storageDir, port })
    hubs.push(hub)
    return hub
  }
  beforeAll(() => startHub())
  afterAll(async () => {
    await hub.close()
  })

  const makeClient = (name: string, url: string) =>
    new RoomClient({
      url,
      token: '',
      name,
      log,
      outbox: new OutboxStore(join(outboxDir, `${name}.json`), log),
      reconnect: backoffWithJitter({ baseMs: 20, capMs: 300 }),
      heartbeatMs: 200,
      silenceMs: 2000,
    })

  it('hub crash, hub restart and an app crash mid-chat: every message lands exactly once', async () => {
    const port = hub.port
    // Clients reach the hub through a proxy that can lose the hub's replies and cut the network.
    const proxy = await startChaosProxy(port)
    const url = `ws://127.0.0.1:${proxy.port}/rooms/chaos/socket`
    const names = ['Ada', 'Bo', 'Cy']
    const clients = new Map(names.map((n) => [n, makeClient(n, url)]))
    for (const c of clients.values()) await c.start()
    const firstIds = new Map(names.map((n) => [n, clients.get(n)!.status.participantId]))

    const sent = new Map<string, string>() // id → text
    const ackedBeforeCrash = new Set<string>()
    const acked = new Set<string>()
    const watch = (c: RoomClient) =>
      c.events.on('chatStatus', (s) => {
        expect(s.state).toBe('acked')
        acked.add(s.id)
      })
    for (const c of clients.values()) watch(c)

    const PER_CLIENT = 60
    const writer = async (name: string) => {
      for (let i = 0; i < PER_CLIENT; i++) {
        const text = `${name} #${i}`
        sent.set(clients.get(name)!.sendChat(text), text)
        await sleep(3)
        if (name === 'Cy' && i === 30) {
          // The app dies: no leave, no flush. A new process opens the same outbox file and carries on.
          clients.get('Cy')!.dispose()
          const reborn = makeClient('Cy', url)
          watch(reborn)
          clients.set('Cy', reborn)
          await reborn.start()
        }
      }
    }
    let storedButUnacked = 0
    const chaos = async () => {
      await sleep(40)
      // Network trouble: the hub stores what arrives but its acks are lost, then every connection drops.
      // Each of those messages is resent after the reconnect and must be deduplicated, not stored twice.
      proxy.blackholeDownstream(true)
      await sleep(150)
      storedButUnacked = hub.info('chaos')!.chatSeq - acked.size
      proxy.cutAll()
      proxy.blackholeDownstream(false)
      await sleep(100)
      for (const id of acked) ackedBeforeCrash.add(id)
      await hub.kill() // crash: sockets die without a close frame
      await sleep(150)
      await startHub(port)
      await sleep(250)
      await hub.close() // graceful restart: 1012 to everyone
      await startHub(port)
    }
    await Promise.all([...names.map(writer), chaos()])
    await eventually('every outbox to drain', () =>
      [...clients.values()].every((c) => c.pending.length === 0),
    )
    expect(ackedBeforeCrash.size).toBeGreaterThan(0)
    expect(storedButUnacked).toBeGreaterThan(0)
    expect(hubs.length).toBe(3)

    // What the room holds now, seen by a fresh participant.
    const observer = new TestClient(await openSocket(url), 'Observer')
    const welcome = await observer.welcome('Observer')
    const chat = welcome.view.chat
    expect(chat.map((m) => m.seq)).toEqual(chat.map((_, i) => i + 1))
    const ids = chat.map((m) => m.id)
    expect(new Set(ids).size).toBe(ids.length) // nothing twice
    expect(ids.length).toBe(names.length * PER_CLIENT) // nothing lost
    for (const [id, text] of sent) expect(chat.find((m) => m.id === id)?.text).toBe(text)
    for (const id of ackedBeforeCrash) expect(ids).toContain(id)
    expect([...acked].sort()).toEqual([...sent.keys()].sort())

    // Everyone resumed as themselves: no ghost, no duplicate participant.
    for (const n of names) expect(clients.get(n)!.status.participantId).toBe(firstIds.get(n))
    expect(welcome.view.participants.map((p) => p.name).sort()).toEqual(['Ada', 'Bo', 'Cy', 'Observer'])
    // Each client's own view converged on the same history.
    await eventually('client views to catch up', () =>
      [...clients.values()].every((c) => c.view?.chat.length === chat.length),
    )
    for (const c of clients.values()) expect(c.view!.chat.map((m) => m.id)).toEqual(ids)
    for (const c of clients.values()) c.dispose()
    await proxy.close()
  }, 60_000)

  it('10,000 malformed frames: the hub keeps serving and other clients are unaffected', async () => {
    const url = hub.socketUrl('abuse')
    const ada = makeClient('Ada2', url)
    const bo = makeClient('Bo2', url)
    await ada.start()
    await bo.start()
    const garbage = [
      'not json',
      '{"v":1,"type":"chat"}',
      '{"v":2,"type":"ping"}',
      '[]',
      'null',
      JSON.stringify({ v: 1, type: 'chat', id: 'x', text: 'y'.repeat(20_000) }),
      JSON.stringify({ v: 1, type: 'host', id: 'h', action: { kind: 'end' } }),
      '\u0000\u0001\u0002',
    ]
    let frames = 0
    let connections = 0
    let abuseCloses = 0
    const flood = async () => {
      while (frames < 10_000) {
        const ws = new WebSocket(url)
        connections++
        await new Promise<void>((resolve) => ws.once('open', () => resolve()))
        const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)))
        for (let i = 0; i < 100 && ws.readyState === ws.OPEN && frames < 10_000; i++) {
          ws.send(i % 9 === 8 ? Buffer.from([1, 2, 3]) : garbage[i % garbage.length]!)
          frames++
          // Yield now and then, so the hub's verdict (a close) can arrive mid-flood.
          if (i % 10 === 9) await new Promise((r) => setImmediate(r))
        }
        ws.close()
        if ((await closed) === 1008) abuseCloses++
      }
    }
    const talk = async () => {
      for (let i = 0; i < 40; i++) {
        ada.sendChat(`ada ${i}`)
        bo.sendChat(`bo ${i}`)
        await sleep(5)
      }
    }
    await Promise.all([flood(), talk()])
    expect(frames).toBe(10_000)
    // The hub cut abusive connections off (1008) well before each could send its hundred frames.
    expect(abuseCloses).toBeGreaterThan(50)
    expect(connections).toBeGreaterThan(100)
    await eventually('chat to drain', () => ada.pending.length === 0 && bo.pending.length === 0)
    await eventually('views to converge', () => ada.view?.chat.length === 80 && bo.view?.chat.length === 80)
    expect(ada.view!.chat.map((m) => m.text).filter((t) => t.startsWith('bo')).length).toBe(40)
    expect(ada.status.state).toBe('joined')
    expect(bo.status.state).toBe('joined')
    expect(ada.status.attempt).toBe(0)
    expect((await fetch(`${hub.origin}/healthz`)).status).toBe(200)
    expect(hub.info('abuse')).toMatchObject({ participants: 2, chatSeq: 80 })
    ada.dispose()
    bo.dispose()
  }, 60_000)
})
