import { mkdtempSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterEach, describe, expect, it } from 'vitest'
import { WebSocketServer, type WebSocket } from 'ws'
import { createLogger } from '../../../shared/log/logger'
import { Redactor } from '../../../shared/log/redact'
import {
  CLOSE_CODES,
  PING_FRAME,
  PONG_FRAME,
  PROTOCOL_VERSION,
  type ClientMessage,
  type RoomView,
  type ServerBody,
} from '../../../shared/room/protocol'
import { backoffWithJitter, isFinalClose, nextConnectionState } from './connection'
import { OutboxStore } from './OutboxStore'
import { RoomClient } from './RoomClient'

const log = createLogger('test', [], new Redactor())

/** A scripted room: the test decides every frame the client gets. */
async function fakeRoom(options: { answerPings?: boolean } = {}) {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 })
  await new Promise<void>((r) => wss.once('listening', () => r()))
  const sockets: WebSocket[] = []
  const received: ClientMessage[] = []
  let version = 1
  wss.on('connection', (ws) => {
    sockets.push(ws)
    ws.on('message', (data) => {
      const text = (data as Buffer).toString()
      if (text === PING_FRAME) {
        if (options.answerPings !== false) ws.send(PONG_FRAME)
        return
      }
      received.push(JSON.parse(text) as ClientMessage)
    })
  })
  const view = (v: number): RoomView => ({
    room: 'r',
    version: v,
    flags: { locked: false, waitingRoom: false, recording: false, allowRecording: true },
    participants: [],
    waiting: [],
    chat: [],
    dms: [],
  })
  return {
    url: `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/rooms/r/socket`,
    sockets,
    received,
    view,
    send(body: ServerBody, v = version, ws = sockets.at(-1)!) {
      version = v
      ws.send(JSON.stringify({ ...body, v: PROTOCOL_VERSION, version: v }))
    },
    welcome(v = 1) {
      this.send({ type: 'welcome', you: 'p1', secret: 's'.repeat(24), resumed: false, view: view(v) }, v)
    },
    async waitFor(type: ClientMessage['type'], count = 1) {
      for (let i = 0; i < 250 && received.filter((m) => m.type === type).length < count; i++) await sleep(10)
      return received.filter((m) => m.type === type)
    },
    close: () => new Promise<void>((r) => wss.close(() => r())),
  }
}

const rooms: Array<{ close(): Promise<void> }> = []
const clients: RoomClient[] = []
afterEach(async () => {
  for (const c of clients.splice(0)) c.dispose()
  for (const r of rooms.splice(0)) await r.close()
})

function client(url: string, extra: Partial<ConstructorParameters<typeof RoomClient>[0]> = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'convene-roomclient-'))
  const c = new RoomClient({
    url,
    token: 't',
    name: 'Ada',
    log,
    outbox: new OutboxStore(join(dir, 'outbox.json'), log),
    reconnect: backoffWithJitter({ baseMs: 10, capMs: 50 }),
    ...extra,
  })
  clients.push(c)
  return c
}

describe('RoomClient', () => {
  it('asks for a snapshot when it sees a version gap, and takes the snapshot', async () => {
    const room = await fakeRoom()
    rooms.push(room)
    const c = client(room.url)
    const joined = c.start()
    await room.waitFor('join')
    room.welcome(5)
    expect(await joined).toBe('joined')
    room.send(
      {
        type: 'delta',
        change: {
          kind: 'flags',
          flags: { locked: true, waitingRoom: false, recording: false, allowRecording: true },
        },
      },
      6,
    )
    room.send(
      {
        type: 'delta',
        change: {
          kind: 'flags',
          flags: { locked: false, waitingRoom: false, recording: true, allowRecording: true },
        },
      },
      8,
    )
    expect(await room.waitFor('resync')).toHaveLength(1)
    expect(c.view?.version).toBe(6)
    expect(c.view?.flags.locked).toBe(true)
    room.send(
      {
        type: 'snapshot',
        view: {
          ...room.view(9),
          flags: { locked: false, waitingRoom: true, recording: true, allowRecording: true },
        },
      },
      9,
    )
    for (let i = 0; i < 100 && c.view?.version !== 9; i++) await sleep(5)
    expect(c.view?.flags).toEqual({ locked: false, waitingRoom: true, recording: true, allowRecording: true })
  })

  it('stops for good when removed: no reconnect, identity forgotten', async () => {
    const room = await fakeRoom()
    rooms.push(room)
    const c = client(room.url)
    const joined = c.start()
    await room.waitFor('join')
    room.welcome()
    await joined
    const orders: string[] = []
    c.events.on('order', (o) => orders.push(o.order))
    room.send({ type: 'order', order: 'mute', by: 'host' })
    room.send({ type: 'closing', reason: 'removed' })
    room.sockets[0]!.close(CLOSE_CODES.removed, 'removed')
    for (let i = 0; i < 100 && c.status.state !== 'closed'; i++) await sleep(5)
    expect(c.status).toMatchObject({ state: 'closed', reason: 'removed' })
    expect(orders).toEqual(['mute'])
    await sleep(100)
    expect(room.sockets).toHaveLength(1)
  })

  it('reconnects and resumes with the issued secret when the socket drops', async () => {
    const room = await fakeRoom()
    rooms.push(room)
    const c = client(room.url)
    const joined = c.start()
    await room.waitFor('join')
    room.welcome()
    await joined
    room.sockets[0]!.terminate()
    const joins = await room.waitFor('join', 2)
    expect(joins[1]).toMatchObject({ resume: { participant: 'p1', secret: 's'.repeat(24) } })
  })

  it('treats a silent socket as dead and reconnects', async () => {
    const room = await fakeRoom({ answerPings: false })
    rooms.push(room)
    const c = client(room.url, { heartbeatMs: 20, silenceMs: 100 })
    const joined = c.start()
    await room.waitFor('join')
    room.welcome()
    await joined
    expect(await room.waitFor('join', 2)).toHaveLength(2)
  })

  it('rejects a host action the room refuses, with the room’s reason', async () => {
    const room = await fakeRoom()
    rooms.push(room)
    const c = client(room.url)
    const joined = c.start()
    await room.waitFor('join')
    room.welcome()
    await joined
    const pending = c.hostAction({ kind: 'lock', locked: true })
    const [sent] = await room.waitFor('host')
    room.send({
      type: 'error',
      id: (sent as { id: string }).id,
      code: 'forbidden',
      message: 'Only the host can.',
    })
    await expect(pending).rejects.toMatchObject({ code: 'forbidden', message: 'Only the host can.' })
  })

  it('keeps unsent chat in the outbox file across a crash', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'convene-outbox-'))
    const path = join(dir, 'outbox.json')
    const c = client('ws://127.0.0.1:9/rooms/r/socket', { outbox: new OutboxStore(path, log) })
    void c.start().catch(() => undefined)
    const id = c.sendChat('hello while offline')
    c.dispose()
    const reopened = new OutboxStore(path, log)
    expect(reopened.pending('ws://127.0.0.1:9/rooms/r/socket')).toMatchObject([
      { id, text: 'hello while offline' },
    ])
  })
})

describe('room connection rules', () => {
  it('follows the transition table and ignores late events', () => {
    expect(nextConnectionState('idle', 'start')).toBe('connecting')
    expect(nextConnectionState('joined', 'drop')).toBe('reconnecting')
    expect(nextConnectionState('reconnecting', 'open')).toBeNull()
    expect(nextConnectionState('closed', 'retry')).toBeNull()
  })

  it('backs off exponentially with jitter, capped', () => {
    const top = backoffWithJitter({ baseMs: 100, capMs: 1000, random: () => 1 })
    expect([1, 2, 3, 4, 5, 6].map((a) => top(a))).toEqual([100, 200, 400, 800, 1000, 1000])
    expect(backoffWithJitter({ random: () => 0 })(3)).toBe(0)
  })

  it('knows which closes are final', () => {
    expect(isFinalClose('ended', 4002)).toBe(true)
    expect(isFinalClose('restart', 1012)).toBe(false)
    expect(isFinalClose(null, CLOSE_CODES.removed)).toBe(true)
    expect(isFinalClose(null, 1006)).toBe(false)
    expect(isFinalClose(null, CLOSE_CODES.timeout)).toBe(false)
  })
})
