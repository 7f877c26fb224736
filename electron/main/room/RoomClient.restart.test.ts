import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterEach, describe, expect, it } from 'vitest'
import { startRoomHub, type RoomHub } from '../../../server/hub/RoomHub'
import { createLogger } from '../../../shared/log/logger'
import { Redactor } from '../../../shared/log/redact'
import type { RoomView, TrackDirectory } from '../../../shared/room/protocol'
import { backoffWithJitter } from './connection'
import { OutboxStore } from './OutboxStore'
import { needsRepublish, RoomClient } from './RoomClient'

/*
 * Issue 7, hub restart: the room client against the real hub, killed (sockets destroyed, as in a crash) and started
 * again on the same port, once with its journal (state kept: resume) and once in memory (state lost: join afresh).
 */
const log = createLogger('test', [], new Redactor())
const hubs: RoomHub[] = []
const clients: RoomClient[] = []
afterEach(async () => {
  for (const c of clients.splice(0)) c.dispose()
  for (const h of hubs.splice(0)) await h.close()
})

async function hubOn(port: number, storageDir: string | undefined): Promise<RoomHub> {
  const hub = await startRoomHub({ log, port, ...(storageDir ? { storageDir } : {}) })
  hubs.push(hub)
  return hub
}

async function joined(hub: RoomHub, name: string): Promise<RoomClient> {
  const dir = mkdtempSync(join(tmpdir(), 'convene-restart-'))
  const c = new RoomClient({
    url: hub.socketUrl('standup'),
    token: '',
    name,
    log,
    outbox: new OutboxStore(join(dir, 'outbox.json'), log),
    reconnect: backoffWithJitter({ baseMs: 20, capMs: 100 }),
  })
  clients.push(c)
  await c.start()
  return c
}

async function until<T>(read: () => T, ok: (value: T) => boolean, what: string): Promise<T> {
  for (let i = 0; i < 500; i++) {
    const value = read()
    if (ok(value)) return value
    await sleep(10)
  }
  throw new Error(`timed out waiting for ${what}: ${JSON.stringify(read())}`)
}

const directory = (sessionId: string): TrackDirectory => ({
  sessionId,
  tracks: [{ name: `camera-${sessionId}`, kind: 'video', source: 'camera', muted: false }],
})
const tracksOf = (view: RoomView | null, name: string) =>
  view?.participants.find((p) => p.name === name)?.tracks ?? null
const chatTexts = (view: RoomView | null) => view?.chat.map((m) => m.text) ?? []

describe.each([
  ['with its journal (state kept)', true],
  ['in memory (state lost)', false],
] as const)('a room client across a hub restart %s', (_label, persistent) => {
  it('shows reconnecting, comes back, republishes its tracks and delivers chat sent meanwhile exactly once', async () => {
    const storage = persistent ? mkdtempSync(join(tmpdir(), 'convene-hub-restart-')) : undefined
    const first = await hubOn(0, storage)
    const ada = await joined(first, 'Ada')
    const bob = await joined(first, 'Bob')
    const adaId = ada.status.participantId
    await ada.publishTracks(directory('s1'))
    ada.sendChat('before the restart')
    await until(
      () => bob.view,
      (v) => chatTexts(v).includes('before the restart'),
      'the first line',
    )

    await first.kill()
    hubs.splice(hubs.indexOf(first), 1)
    await until(
      () => ada.status.state,
      (s) => s === 'reconnecting' || s === 'connecting',
      'reconnecting',
    )
    // While the hub is down: a chat line, and a new directory (the media session was rebuilt meanwhile).
    const lineId = ada.sendChat('sent while the hub was down')
    await expect(ada.publishTracks(directory('s2'))).rejects.toMatchObject({ code: 'network' })

    const second = await hubOn(first.port, storage)
    await until(
      () => [ada.status.state, bob.status.state],
      (s) => s.every((x) => x === 'joined'),
      'rejoin',
    )
    const view = await until(
      () => bob.view,
      (v) => tracksOf(v, 'Ada')?.sessionId === 's2' && chatTexts(v).includes('sent while the hub was down'),
      "Ada's new directory and chat line at Bob",
    )
    // Kept state resumes the same participant; lost state admits her afresh under a new id.
    if (persistent) expect(ada.status.participantId).toBe(adaId)
    else expect(ada.status.participantId).not.toBe(adaId)
    expect(view?.participants.map((p) => p.name).sort()).toEqual(['Ada', 'Bob'])
    expect(ada.pending).not.toContain(lineId)
    await sleep(200)
    const texts = chatTexts(bob.view)
    expect(texts.filter((t) => t === 'sent while the hub was down')).toHaveLength(1)
    expect(texts.filter((t) => t === 'before the restart')).toHaveLength(persistent ? 1 : 0)
    expect(second.info('standup')?.participants).toBe(2)
  })
})

describe('needsRepublish', () => {
  const view = (tracks: TrackDirectory | null): RoomView => ({
    room: 'r',
    version: 1,
    flags: { locked: false, waitingRoom: false, recording: false, allowRecording: true },
    participants: [
      {
        id: 'p1',
        name: 'Ada',
        role: 'host',
        ai: false,
        handRaisedAt: null,
        joinedAt: 0,
        connected: true,
        tracks,
        activity: { recording: 'off', captions: false, assistant: false },
      },
    ],
    waiting: [],
    chat: [],
    dms: [],
  })

  it('republishes only when the room’s record differs from what was last published', () => {
    expect(needsRepublish(view(null), 'p1', null)).toBe(false)
    expect(needsRepublish(view(directory('s1')), 'p1', directory('s1'))).toBe(false)
    // Same content, other key order (the room re-serialises what it stores).
    const reordered = { tracks: directory('s1').tracks, sessionId: 's1' }
    expect(needsRepublish(view(reordered), 'p1', directory('s1'))).toBe(false)
    expect(needsRepublish(view(directory('s1')), 'p1', directory('s2'))).toBe(true)
    expect(needsRepublish(view(null), 'p1', directory('s1'))).toBe(true)
    expect(needsRepublish(view(directory('s1')), 'p2', directory('s1'))).toBe(true)
  })
})
