import { describe, expect, it } from 'vitest'
import { exportRoom, importRoom } from './persist'
import { ServerMessage } from './protocol'
import { nextDeadline } from './tx'
import { RoomSim } from './testing/roomSim'

const deltaKinds = (sim: RoomSim, conn: string) =>
  sim.frames(conn).flatMap((m) => (m.type === 'delta' ? [m.change.kind] : []))

describe('room core: joining and roles', () => {
  it('makes the creator host and later joiners guests; everyone sees each other', () => {
    const sim = new RoomSim()
    const a = sim.enter('c1', 'Ada')
    const b = sim.enter('c2', 'Bo')
    expect(sim.state.participants[a]!.info.role).toBe('host')
    expect(sim.state.participants[b]!.info.role).toBe('guest')
    expect(sim.last('c2', 'welcome')!.view.participants.map((p) => p.name)).toEqual(['Ada', 'Bo'])
    expect(deltaKinds(sim, 'c1')).toEqual(['joined'])
    // The joiner learns about itself from the welcome, not from a delta.
    expect(deltaKinds(sim, 'c2')).toEqual([])
    for (const list of sim.inbox.values()) for (const m of list) expect(ServerMessage.parse(m)).toEqual(m)
  })

  it('takes the name and role from a verified token over the join message', () => {
    const sim = new RoomSim()
    sim.enter('c1', 'Ada')
    const b = sim.enter('c2', 'Mallory', { name: 'Bo', role: 'cohost' })
    expect(sim.state.participants[b]!.info).toMatchObject({ name: 'Bo', role: 'cohost' })
  })

  it('refuses guests in a locked room but lets a host token in', () => {
    const sim = new RoomSim()
    sim.enter('c1', 'Ada')
    sim.send('c1', 'host', { id: 'h1', action: { kind: 'lock', locked: true } })
    sim.open('c2')
    sim.join('c2', 'Bo')
    expect(sim.closed.get('c2')).toBe('room_locked')
    expect(sim.last('c2', 'error')!.code).toBe('room_locked')
    const h = sim.enter('c3', 'Cy', { role: 'host' })
    expect(sim.state.participants[h]!.info.role).toBe('host')
  })
})

describe('room core: resume and presence', () => {
  it('resumes the same participant within the grace period: no ghost, no duplicate', () => {
    const sim = new RoomSim({ graceMs: 10_000 })
    sim.enter('c1', 'Ada')
    const b = sim.enter('c2', 'Bo')
    const { secret } = sim.last('c2', 'welcome')!
    sim.close('c2')
    expect(sim.state.participants[b]!.info.connected).toBe(false)
    sim.now += 5_000
    sim.open('c3')
    sim.join('c3', 'Bo', { resume: { participant: b, secret } })
    const welcome = sim.last('c3', 'welcome')!
    expect(welcome).toMatchObject({ you: b, resumed: true })
    expect(Object.keys(sim.state.participants)).toHaveLength(2)
    expect(sim.state.participants[b]!.conn).toBe('c3')
    expect(deltaKinds(sim, 'c1')).toEqual(['joined', 'updated', 'updated'])
  })

  it('closes the ghost socket when a client resumes while the old one still looks open', () => {
    const sim = new RoomSim()
    sim.enter('c1', 'Ada')
    const { secret, you } = sim.last('c1', 'welcome')!
    sim.open('c2')
    sim.join('c2', 'Ada', { resume: { participant: you, secret } })
    expect(sim.closed.get('c1')).toBe('replaced')
    expect(sim.state.connections.c1).toBeUndefined()
    expect(sim.state.participants[you]!.conn).toBe('c2')
  })

  it('joins anew when the resume secret is wrong', () => {
    const sim = new RoomSim()
    const a = sim.enter('c1', 'Ada')
    sim.close('c1')
    sim.open('c2')
    sim.join('c2', 'Ada', { resume: { participant: a, secret: 'x'.repeat(20) } })
    expect(sim.last('c2', 'welcome')!.resumed).toBe(false)
    expect(sim.last('c2', 'welcome')!.you).not.toBe(a)
  })

  it('evicts a silent participant after the heartbeat timeout and a vanished one after the grace period', () => {
    const sim = new RoomSim({ heartbeatTimeoutMs: 30_000, graceMs: 10_000 })
    const a = sim.enter('c1', 'Ada')
    const b = sim.enter('c2', 'Bo')
    const c = sim.enter('c3', 'Cy')
    sim.close('c3')
    sim.now += 20_000
    sim.send('c1', 'ping', {})
    sim.tick(0)
    expect(sim.state.participants[c]).toBeUndefined()
    sim.tick(15_000)
    expect(sim.state.participants[b]).toBeUndefined()
    expect(sim.closed.get('c2')).toBe('timeout')
    expect(sim.state.participants[a]).toBeDefined()
    const left = sim
      .frames('c1')
      .flatMap((m) => (m.type === 'delta' && m.change.kind === 'left' ? [m.change] : []))
    expect(left).toEqual([
      { kind: 'left', id: c, reason: 'disconnected' },
      { kind: 'left', id: b, reason: 'timeout' },
    ])
  })

  it('deletes the room data a configured time after the last person leaves', () => {
    const sim = new RoomSim({ retentionMs: 60_000 })
    sim.enter('c1', 'Ada')
    sim.send('c1', 'chat', { id: 'm1', text: 'hi' })
    sim.send('c1', 'leave', {})
    expect(sim.store.data.size).toBeGreaterThan(0)
    expect(nextDeadline(sim.state)).toBe(sim.now + 60_000)
    sim.tick(59_999)
    expect(sim.store.data.size).toBeGreaterThan(0)
    sim.tick(1)
    expect(sim.store.data.size).toBe(0)
    expect(sim.state.chat).toEqual([])
  })
})

describe('room core: chat', () => {
  it('assigns contiguous sequence numbers, acks, and dedupes a resend by id', () => {
    const sim = new RoomSim()
    sim.enter('c1', 'Ada')
    sim.enter('c2', 'Bo')
    sim.send('c1', 'chat', { id: 'm1', text: 'one' })
    sim.send('c2', 'chat', { id: 'm2', text: 'two' })
    sim.send('c1', 'chat', { id: 'm1', text: 'one' })
    expect(sim.state.chat.map((m) => [m.seq, m.id])).toEqual([
      [1, 'm1'],
      [2, 'm2'],
    ])
    const acks = sim.frames('c1').filter((m) => m.type === 'ack')
    expect(acks.map((a) => [a.id, a.seq, a.duplicate ?? false])).toEqual([
      ['m1', 1, false],
      ['m1', 1, true],
    ])
  })

  it('keeps the last 500 messages', () => {
    const sim = new RoomSim({ ratePerSecond: 1e9, rateBurst: 1e9 })
    sim.enter('c1', 'Ada')
    for (let i = 1; i <= 520; i++) sim.send('c1', 'chat', { id: `m${i}`, text: `n${i}` })
    expect(sim.state.chat).toHaveLength(500)
    expect(sim.state.chat[0]!.seq).toBe(21)
    expect(sim.state.chatSeq).toBe(520)
  })

  it('delivers a direct message only to sender and recipient, outside the version stream', () => {
    const sim = new RoomSim()
    sim.enter('c1', 'Ada')
    const b = sim.enter('c2', 'Bo')
    sim.enter('c3', 'Cy')
    const before = sim.state.version
    sim.send('c1', 'chat', { id: 'd1', text: 'psst', to: b })
    expect(sim.state.version).toBe(before)
    expect(sim.last('c2', 'dm')!.message).toMatchObject({ text: 'psst', to: b, seq: 1 })
    expect(sim.last('c1', 'dm')).toBeDefined()
    expect(sim.last('c3', 'dm')).toBeUndefined()
    sim.send('c3', 'resync', {})
    expect(sim.last('c3', 'snapshot')!.view.dms).toEqual([])
  })

  it('survives a restart: history, counters and places are restored from the store', () => {
    const sim = new RoomSim()
    const a = sim.enter('c1', 'Ada')
    const { secret } = sim.last('c1', 'welcome')!
    sim.send('c1', 'chat', { id: 'm1', text: 'before' })
    const version = sim.state.version
    sim.restart()
    expect(sim.state.chat.map((m) => m.text)).toEqual(['before'])
    expect(sim.state.version).toBeGreaterThan(version)
    expect(sim.state.participants[a]!.info.connected).toBe(false)
    sim.open('c9')
    sim.join('c9', 'Ada', { resume: { participant: a, secret } })
    expect(sim.last('c9', 'welcome')).toMatchObject({ you: a, resumed: true })
    sim.send('c9', 'chat', { id: 'm1', text: 'before' })
    expect(sim.last('c9', 'ack')).toMatchObject({ id: 'm1', seq: 1, duplicate: true })
  })
})

describe('room core: host controls', () => {
  it('runs a waiting room: guests wait, a host admits or denies', () => {
    const sim = new RoomSim()
    sim.enter('c1', 'Ada')
    sim.send('c1', 'host', { id: 'h1', action: { kind: 'waitingRoom', enabled: true } })
    const b = sim.enter('c2', 'Bo')
    const c = sim.enter('c3', 'Cy')
    expect(sim.last('c2', 'waiting')!.you).toBe(b)
    expect(Object.keys(sim.state.waiting)).toEqual([b, c])
    sim.send('c2', 'chat', { id: 'x', text: 'let me in' })
    expect(sim.last('c2', 'error')!.code).toBe('not_joined')
    sim.send('c1', 'host', { id: 'h2', action: { kind: 'admit', target: b } })
    sim.send('c1', 'host', { id: 'h3', action: { kind: 'deny', target: c } })
    expect(sim.last('c2', 'welcome')!.you).toBe(b)
    expect(sim.closed.get('c3')).toBe('denied')
    expect(Object.keys(sim.state.waiting)).toEqual([])
  })

  it('lets hosts mute, stop video, remove; orders go to the target', () => {
    const sim = new RoomSim()
    sim.enter('c1', 'Ada')
    const b = sim.enter('c2', 'Bo')
    sim.send('c2', 'tracks', {
      id: 't1',
      directory: {
        sessionId: 's2',
        tracks: [
          { name: 'a', kind: 'audio', source: 'mic', muted: false },
          { name: 'v', kind: 'video', source: 'camera', muted: false },
        ],
      },
    })
    sim.send('c1', 'host', { id: 'h1', action: { kind: 'mute', target: b } })
    sim.send('c1', 'host', { id: 'h2', action: { kind: 'stopVideo', target: b } })
    expect(sim.state.participants[b]!.info.tracks!.tracks.map((t) => t.muted)).toEqual([true, true])
    expect(
      sim
        .frames('c2')
        .filter((m) => m.type === 'order')
        .map((m) => m.order),
    ).toEqual(['mute', 'stopVideo'])
    sim.send('c1', 'host', { id: 'h3', action: { kind: 'remove', target: b } })
    expect(sim.closed.get('c2')).toBe('removed')
    expect(sim.state.participants[b]).toBeUndefined()
  })

  it('refuses host actions from guests and role changes from co-hosts', () => {
    const sim = new RoomSim()
    const a = sim.enter('c1', 'Ada')
    const b = sim.enter('c2', 'Bo')
    const version = sim.state.version
    sim.send('c2', 'host', { id: 'h1', action: { kind: 'remove', target: a } })
    expect(sim.last('c2', 'error')).toMatchObject({ id: 'h1', code: 'forbidden' })
    expect(sim.state.version).toBe(version)
    sim.send('c1', 'host', { id: 'h2', action: { kind: 'setRole', target: b, role: 'cohost' } })
    sim.send('c2', 'host', { id: 'h3', action: { kind: 'setRole', target: b, role: 'host' } })
    expect(sim.last('c2', 'error')).toMatchObject({ id: 'h3', code: 'forbidden' })
    sim.send('c2', 'host', { id: 'h4', action: { kind: 'remove', target: a } })
    expect(sim.last('c2', 'error')).toMatchObject({ id: 'h4', code: 'forbidden' })
    sim.send('c2', 'host', { id: 'h5', action: { kind: 'recording', active: true } })
    expect(sim.state.flags.recording).toBe(true)
  })

  it('tells everyone what a participant runs, and lets the host forbid participants to record', () => {
    const sim = new RoomSim()
    const a = sim.enter('c1', 'Ada')
    const b = sim.enter('c2', 'Bo')
    sim.send('c2', 'activity', { id: 'a1', activity: { recording: 'on', captions: true } })
    expect(sim.last('c2', 'ack')).toMatchObject({ id: 'a1' })
    expect(sim.state.participants[b]!.info.activity).toEqual({
      recording: 'on',
      captions: true,
      assistant: false,
    })
    const seen = sim.frames('c1').filter((m) => m.type === 'delta' && m.change.kind === 'updated')
    expect(seen.at(-1)).toMatchObject({ change: { participant: { id: b, activity: { recording: 'on' } } } })
    // Forbidding orders the current non-host recorder to stop, and refuses new starts from guests only.
    sim.send('c1', 'host', { id: 'h1', action: { kind: 'allowRecording', allow: false } })
    expect(sim.state.flags.allowRecording).toBe(false)
    expect(sim.last('c2', 'order')).toMatchObject({ order: 'stopRecording', by: a })
    sim.send('c2', 'activity', { id: 'a2', activity: { recording: 'off' } })
    const version = sim.state.version
    sim.send('c2', 'activity', { id: 'a3', activity: { recording: 'on' } })
    expect(sim.last('c2', 'error')).toMatchObject({ id: 'a3', code: 'forbidden' })
    expect(sim.state.version).toBe(version)
    sim.send('c1', 'activity', { id: 'a4', activity: { recording: 'on', assistant: true } })
    expect(sim.state.participants[a]!.info.activity).toEqual({
      recording: 'on',
      captions: false,
      assistant: true,
    })
    // A repeat of the same activity is acknowledged without a version step.
    const v2 = sim.state.version
    sim.send('c1', 'activity', { id: 'a5', activity: { recording: 'on' } })
    expect(sim.last('c1', 'ack')).toMatchObject({ id: 'a5' })
    expect(sim.state.version).toBe(v2)
    sim.send('c2', 'host', { id: 'h2', action: { kind: 'allowRecording', allow: true } })
    expect(sim.last('c2', 'error')).toMatchObject({ id: 'h2', code: 'forbidden' })
  })

  it('ends the meeting for everyone and deletes the data', () => {
    const sim = new RoomSim()
    sim.enter('c1', 'Ada')
    sim.enter('c2', 'Bo')
    sim.send('c2', 'chat', { id: 'm', text: 'bye' })
    sim.send('c1', 'host', { id: 'h', action: { kind: 'end' } })
    expect([...sim.closed.values()]).toEqual(['ended', 'ended'])
    expect(sim.state.participants).toEqual({})
    expect(sim.store.data.size).toBe(0)
  })
})

describe('room core: abuse', () => {
  it('rate-limits a connection, then closes it when it keeps going; others are untouched', () => {
    const sim = new RoomSim({ ratePerSecond: 5, rateBurst: 5, abuseBurst: 3, abuseRefillPerSecond: 0.1 })
    sim.enter('c1', 'Ada')
    sim.enter('c2', 'Bo')
    for (let i = 0; i < 20 && !sim.closed.has('c2'); i++)
      sim.send('c2', 'reaction', { id: `r${i}`, emoji: '👍' })
    expect(sim.closed.get('c2')).toBe('abuse')
    expect(sim.frames('c2').some((m) => m.type === 'error' && m.code === 'rate_limited')).toBe(true)
    sim.send('c1', 'chat', { id: 'ok', text: 'still here' })
    expect(sim.last('c1', 'ack')).toMatchObject({ id: 'ok', seq: 1 })
  })
})

describe('room export and import', () => {
  it('round-trips chat and flags into an empty room and refuses a damaged file', () => {
    const sim = new RoomSim()
    sim.enter('c1', 'Ada')
    sim.send('c1', 'chat', { id: 'm1', text: 'one' })
    sim.send('c1', 'chat', { id: 'm2', text: 'two' })
    const doc = JSON.parse(JSON.stringify(exportRoom(sim.state, sim.now))) as unknown
    const target = new RoomSim({}, 'room-2')
    const result = importRoom(target.state, doc, target.now)
    expect(result.ok && result.state.chat.map((m) => m.text)).toEqual(['one', 'two'])
    const damaged = { ...(doc as object), chat: [{ seq: 5 }] }
    expect(importRoom(target.state, damaged, 0)).toMatchObject({ ok: false, reason: 'invalid' })
    expect(importRoom(sim.state, doc, 0)).toMatchObject({ ok: false, reason: 'occupied' })
  })
})
