import { describe, expect, it } from 'vitest'
import type { RoomInfo } from '../../shared/room/engine'
import { CLOSE_CODES, ROOM_LIMITS, type Role } from '../../shared/room/protocol'
import { TestClient, type RawSocket } from './roomTestClient'

/**
 * One behaviour suite for every room implementation: the local hub (Node, `ws`) and the Durable Object (workerd).
 * Each target supplies a way to open a socket and to move its clock; the rules tested are the same. Runs in Node
 * and in workerd, so no node:* imports.
 */
export interface RoomTarget {
  /** Whether joins need a signed token (the DO always; the hub when given a secret). */
  readonly checksTokens: boolean
  readonly heartbeatTimeoutMs: number
  readonly graceMs: number
  connect(room: string): Promise<RawSocket>
  token(room: string, name: string, role: Role, ttlSeconds?: number): Promise<string>
  /** Move the room's clock forward and run whatever became due (timers in the hub, the alarm in the DO). */
  advance(room: string, ms: number): Promise<void>
  /** Drop every socket and all memory of the room, keeping its storage (a hub restart, a DO eviction). */
  restart(room: string): Promise<void>
  info(room: string): Promise<RoomInfo>
}

let rooms = 0
const roomName = (tag: string) => `${tag}-${Date.now().toString(36)}-${++rooms}`

export function roomBehaviourSuite(label: string, target: RoomTarget): void {
  const client = async (room: string, name: string) => new TestClient(await target.connect(room), name)
  const enter = async (room: string, name: string, role: Role = 'guest') => {
    const c = await client(room, name)
    const w = await c.welcome(name, target.checksTokens ? await target.token(room, name, role) : '')
    return { c, id: w.you, secret: w.secret, welcome: w }
  }

  describe(`room behaviour: ${label}`, () => {
    it('makes the creator host and the next joiner a guest; both see each other', async () => {
      const room = roomName('roles')
      const a = await enter(room, 'Ada')
      const b = await enter(room, 'Bo')
      expect(a.welcome.view.participants.find((p) => p.id === a.id)?.role).toBe('host')
      expect(b.welcome.view.participants.map((p) => [p.name, p.role])).toEqual([
        ['Ada', 'host'],
        ['Bo', 'guest'],
      ])
      const joined = await a.c.next('delta', (d) => d.change.kind === 'joined')
      expect(joined.version).toBe(a.welcome.version + 1)
      expect(await target.info(room)).toMatchObject({ participants: 2 })
    })

    it('delivers chat to everyone once, in order, with contiguous seq and an ack to the sender', async () => {
      const room = roomName('chat')
      const a = await enter(room, 'Ada')
      const b = await enter(room, 'Bo')
      const c = await enter(room, 'Cy')
      for (let i = 0; i < 10; i++) await [a, b, c][i % 3]!.c.chat(`message ${i}`)
      for (const x of [a, b, c]) {
        await x.c.until('10 chat deltas', () =>
          x.c.all('delta').filter((d) => d.change.kind === 'chat').length >= 10 ? true : undefined,
        )
        const seqs = x.c.all('delta').flatMap((d) => (d.change.kind === 'chat' ? [d.change.message.seq] : []))
        expect(seqs).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
      }
      const versions = a.c.all('delta').map((d) => d.version)
      versions.forEach((v, i) => i > 0 && expect(v).toBe(versions[i - 1]! + 1))
    })

    it('acks a resent message as a duplicate and never delivers it twice', async () => {
      const room = roomName('dedupe')
      const a = await enter(room, 'Ada')
      const b = await enter(room, 'Bo')
      a.c.send({ type: 'chat', id: 'same-id', text: 'once' })
      a.c.send({ type: 'chat', id: 'same-id', text: 'once' })
      const acks = [
        await a.c.next('ack', (x) => x.id === 'same-id'),
        await a.c.next('ack', (x) => x.id === 'same-id'),
      ]
      expect(acks.map((x) => [x.seq, x.duplicate ?? false])).toEqual([
        [1, false],
        [1, true],
      ])
      await b.c.chat('marker')
      const texts = b.c.all('delta').flatMap((d) => (d.change.kind === 'chat' ? [d.change.message.text] : []))
      expect(texts).toEqual(['once', 'marker'])
    })

    it('delivers a direct message only to its recipient', async () => {
      const room = roomName('dm')
      const a = await enter(room, 'Ada')
      const b = await enter(room, 'Bo')
      const c = await enter(room, 'Cy')
      await a.c.chat('just for you', b.id)
      expect((await b.c.next('dm')).message).toMatchObject({ text: 'just for you', from: a.id, to: b.id })
      await c.c.chat('public')
      await a.c.next('delta', (d) => d.change.kind === 'chat')
      expect(c.c.all('dm')).toEqual([])
    })

    it('answers ping with pong and resync with a snapshot', async () => {
      const room = roomName('sync')
      const a = await enter(room, 'Ada')
      a.c.ping()
      await a.c.next('pong')
      await a.c.chat('hello')
      a.c.send({ type: 'resync' })
      const snap = await a.c.next('snapshot')
      expect(snap.view.chat.map((m) => m.text)).toEqual(['hello'])
      expect(snap.view.version).toBe(snap.version)
    })

    it('resumes the same participant after a dropped connection: no ghost, no duplicate', async () => {
      const room = roomName('resume')
      const a = await enter(room, 'Ada')
      const b = await enter(room, 'Bo')
      b.c.raw.close(4000)
      const gone = await a.c.next(
        'delta',
        (d) => d.change.kind === 'updated' && !d.change.participant.connected,
      )
      expect(gone.change.kind === 'updated' && gone.change.participant.id).toBe(b.id)
      const again = await client(room, 'Bo2')
      const token = target.checksTokens ? await target.token(room, 'Bo', 'guest') : ''
      const w = await again.welcome('Bo', token, { resume: { participant: b.id, secret: b.secret } })
      expect(w).toMatchObject({ you: b.id, resumed: true })
      expect(w.view.participants.map((p) => p.id)).toEqual([a.id, b.id])
      await a.c.next('delta', (d) => d.change.kind === 'updated' && d.change.participant.connected)
      expect(await target.info(room)).toMatchObject({ participants: 2 })
    })

    it('evicts a participant that stops sending heartbeats; a live one stays', async () => {
      const room = roomName('heartbeat')
      const a = await enter(room, 'Ada')
      const b = await enter(room, 'Bo')
      await target.advance(room, target.heartbeatTimeoutMs * 0.6)
      a.c.ping()
      await a.c.next('pong')
      await target.advance(room, target.heartbeatTimeoutMs * 0.6)
      const left = await a.c.next('delta', (d) => d.change.kind === 'left')
      expect(left.change).toEqual({ kind: 'left', id: b.id, reason: 'timeout' })
      expect(await b.c.closed()).toBe(CLOSE_CODES.timeout)
      expect(await target.info(room)).toMatchObject({ participants: 1 })
    })

    it('gives up a lost place after the grace period', async () => {
      const room = roomName('grace')
      const a = await enter(room, 'Ada')
      const b = await enter(room, 'Bo')
      b.c.raw.close(4000)
      await a.c.next('delta', (d) => d.change.kind === 'updated' && !d.change.participant.connected)
      // Keep Ada alive across the wait (the same clock runs her heartbeat timeout).
      for (let i = 0; i < 2; i++) {
        await target.advance(room, target.graceMs * 0.6)
        a.c.ping()
        await a.c.next('pong')
      }
      const left = await a.c.next('delta', (d) => d.change.kind === 'left')
      expect(left.change).toEqual({ kind: 'left', id: b.id, reason: 'disconnected' })
    })

    it('runs a waiting room and host controls; guests cannot moderate', async () => {
      const room = roomName('host')
      const a = await enter(room, 'Ada', 'host')
      const b = await enter(room, 'Bo')
      b.c.send({ type: 'host', id: 'nope', action: { kind: 'lock', locked: true } })
      expect(await b.c.next('error', (e) => e.id === 'nope')).toMatchObject({ code: 'forbidden' })
      a.c.send({ type: 'host', id: 'w', action: { kind: 'waitingRoom', enabled: true } })
      await a.c.next('ack', (x) => x.id === 'w')
      const c = await client(room, 'Cy')
      const waiting = await c.join('Cy', target.checksTokens ? await target.token(room, 'Cy', 'guest') : '')
      expect(waiting.type).toBe('waiting')
      const listed = await a.c.next(
        'delta',
        (d) => d.change.kind === 'waiting' && d.change.waiting.length === 1,
      )
      expect(listed.change.kind === 'waiting' && listed.change.waiting[0]!.name).toBe('Cy')
      a.c.send({ type: 'host', id: 'adm', action: { kind: 'admit', target: waiting.you } })
      expect((await c.next('welcome')).you).toBe(waiting.you)
      a.c.send({ type: 'host', id: 'mute', action: { kind: 'mute', target: b.id } })
      expect(await b.c.next('order')).toMatchObject({ order: 'mute', by: a.id })
      a.c.send({ type: 'host', id: 'rm', action: { kind: 'remove', target: waiting.you } })
      expect(await c.next('closing')).toMatchObject({ reason: 'removed' })
      expect(await c.closed()).toBe(CLOSE_CODES.removed)
      a.c.send({ type: 'host', id: 'end', action: { kind: 'end' } })
      expect(await b.c.next('closing')).toMatchObject({ reason: 'ended' })
      expect(await b.c.closed()).toBe(CLOSE_CODES.ended)
      expect(await target.info(room)).toMatchObject({ participants: 0, chatSeq: 0 })
    })

    it('refuses guests in a locked room', async () => {
      const room = roomName('lock')
      const a = await enter(room, 'Ada', 'host')
      a.c.send({ type: 'host', id: 'l', action: { kind: 'lock', locked: true } })
      await a.c.next('ack', (x) => x.id === 'l')
      const b = await client(room, 'Bo')
      b.send({
        type: 'join',
        id: 'j',
        token: target.checksTokens ? await target.token(room, 'Bo', 'guest') : '',
        name: 'Bo',
      })
      expect(await b.next('error', (e) => e.id === 'j')).toMatchObject({ code: 'room_locked' })
      expect(await b.closed()).toBe(CLOSE_CODES.room_locked)
    })

    if (target.checksTokens) {
      it('refuses a join with a token for another room, an expired token or none', async () => {
        const room = roomName('token')
        for (const token of [
          await target.token('elsewhere', 'Eve', 'host'),
          await target.token(room, 'Eve', 'host', -10),
          '',
        ]) {
          const c = await client(room, 'Eve')
          c.send({ type: 'join', id: 'j', token, name: 'Eve' })
          expect(await c.next('error', (e) => e.id === 'j')).toMatchObject({ code: 'unauthorized' })
          expect(await c.closed()).toBe(CLOSE_CODES.unauthorized)
        }
      })
    }

    it('answers bad frames with errors, closes an abusive connection, and others carry on', async () => {
      const room = roomName('abuse')
      const a = await enter(room, 'Ada')
      const bad = await client(room, 'Mallory')
      bad.sendRaw('not json')
      expect(await bad.next('error')).toMatchObject({ code: 'bad_frame' })
      bad.sendRaw(JSON.stringify({ v: 99, type: 'join', id: 'x' }))
      expect(await bad.next('error')).toMatchObject({ code: 'unsupported_version', id: 'x' })
      bad.sendRaw(JSON.stringify({ v: 1, type: 'chat', id: 'y', text: '' }))
      expect(await bad.next('error')).toMatchObject({ code: 'invalid', id: 'y' })
      bad.sendRaw(
        JSON.stringify({ v: 1, type: 'chat', id: 'z', text: 'x'.repeat(ROOM_LIMITS.maxFrameBytes) }),
      )
      expect(await bad.next('error')).toMatchObject({ code: 'too_large' })
      for (let i = 0; i < 200 && bad.closeCode === null; i++) bad.sendRaw(`{garbage ${i}`)
      expect(await bad.closed()).toBe(CLOSE_CODES.abuse)
      expect(bad.all('closing').at(-1)).toMatchObject({ reason: 'abuse' })
      const ack = await a.c.chat('still fine')
      expect(ack.seq).toBe(1)
    })

    it('keeps chat and places across a restart; clients resume', async () => {
      const room = roomName('restart')
      const a = await enter(room, 'Ada')
      const b = await enter(room, 'Bo')
      const first = await a.c.chat('before the restart')
      const version = (await a.c.next('delta', (d) => d.change.kind === 'chat')).version
      await target.restart(room)
      await a.c.closed()
      const again = await client(room, 'Ada2')
      const token = target.checksTokens ? await target.token(room, 'Ada', 'guest') : ''
      const w = await again.welcome('Ada', token, { resume: { participant: a.id, secret: a.secret } })
      expect(w).toMatchObject({ you: a.id, resumed: true })
      expect(w.version).toBeGreaterThan(version)
      expect(w.view.chat.map((m) => m.text)).toEqual(['before the restart'])
      expect(w.view.participants.find((p) => p.id === b.id)?.connected).toBe(false)
      // The ack may have been lost with the old socket: the resend must not create a second message.
      again.send({ type: 'chat', id: first.id, text: 'before the restart' })
      expect(await again.next('ack')).toMatchObject({ seq: 1, duplicate: true })
    })
  })
}
