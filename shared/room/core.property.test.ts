import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { HostAction, ServerMessage, type Role } from './protocol'
import { isHostRole, type RoomState, type Step } from './state'
import { RoomSim } from './testing/roomSim'

/**
 * Random event sequences against the pure core. Each op names connections and targets by small indices, resolved
 * against the state at the time it runs, so sequences stay meaningful as they shrink.
 */
const conn = fc.integer({ min: 0, max: 5 }).map((i) => `c${i}`)
const pick = fc.nat({ max: 7 })
const roles = fc.constantFrom<Role | undefined>('host', 'cohost', 'guest', undefined)
const hostKinds = fc.constantFrom<HostAction['kind']>(
  'mute',
  'stopVideo',
  'remove',
  'lock',
  'waitingRoom',
  'admit',
  'deny',
  'setRole',
  'recording',
  'end',
)

const op = fc.oneof(
  { weight: 3, arbitrary: fc.record({ op: fc.constant('open' as const), conn }) },
  {
    weight: 4,
    arbitrary: fc.record({ op: fc.constant('join' as const), conn, role: roles, resume: fc.option(pick) }),
  },
  {
    weight: 6,
    arbitrary: fc.record({
      op: fc.constant('chat' as const),
      conn,
      // A small id pool makes resends (duplicates) common.
      id: fc.integer({ min: 0, max: 12 }).map((i) => `m${i}`),
      dm: fc.oneof(fc.constant(null), fc.constant(null), fc.constant(null), pick),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      op: fc.constant('host' as const),
      conn,
      kind: hostKinds,
      target: pick,
      flag: fc.boolean(),
      role: fc.constantFrom<Role>('host', 'cohost', 'guest'),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constantFrom('hand' as const, 'tracks' as const, 'reaction' as const, 'resync' as const),
      conn,
      flag: fc.boolean(),
    }),
  },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('leave' as const), conn }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('closed' as const), conn }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('rejected' as const), conn }) },
  {
    weight: 2,
    arbitrary: fc.record({ op: fc.constant('tick' as const), ms: fc.integer({ min: 0, max: 40_000 }) }),
  },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('restart' as const) }) },
)
type Op = typeof op extends fc.Arbitrary<infer T> ? T : never

function run(sim: RoomSim, o: Op, secrets: Map<string, string>): { hostBy: Role | null } {
  const s = sim.state
  const ids = [...Object.keys(s.participants), ...Object.keys(s.waiting)]
  const at = (i: number) => (ids.length === 0 ? 'nobody' : ids[i % ids.length]!)
  const actorRole = (c: string): Role | null => {
    const pid = s.connections[c]?.participant
    const p = pid ? s.participants[pid] : undefined
    return p && p.conn === c ? p.info.role : null
  }
  // Most messages come from admitted members (c0–c3 map onto them), the rest from any connection at all.
  const live = Object.values(s.participants).flatMap((p) => (p.conn === null ? [] : [p.conn]))
  const from = (c: string): string => {
    const i = Number(c.slice(1))
    return live.length > 0 && i < 4 ? live[i % live.length]! : c
  }
  sim.now += 250
  switch (o.op) {
    case 'open':
      sim.open(o.conn)
      break
    case 'join': {
      if (!(o.conn in s.connections)) sim.open(o.conn)
      const target = o.resume === null ? undefined : at(o.resume)
      const resume =
        target && secrets.has(target) ? { participant: target, secret: secrets.get(target)! } : undefined
      sim.join(o.conn, `N-${o.conn}`, resume ? { resume } : {}, o.role ? { role: o.role } : null)
      const w = sim.last(o.conn, 'welcome') ?? sim.last(o.conn, 'waiting')
      if (w) secrets.set(w.you, w.secret)
      break
    }
    case 'chat':
      sim.send(from(o.conn), 'chat', {
        id: o.id,
        text: `t ${o.id}`,
        ...(o.dm === null ? {} : { to: at(o.dm) }),
      })
      break
    case 'host': {
      const target = at(o.target)
      const action = HostAction.parse(
        o.kind === 'lock'
          ? { kind: o.kind, locked: o.flag }
          : o.kind === 'waitingRoom'
            ? { kind: o.kind, enabled: o.flag }
            : o.kind === 'recording'
              ? { kind: o.kind, active: o.flag }
              : o.kind === 'end'
                ? { kind: 'end' }
                : o.kind === 'setRole'
                  ? { kind: o.kind, target, role: o.role }
                  : { kind: o.kind, target },
      )
      const hostBy = actorRole(from(o.conn))
      sim.send(from(o.conn), 'host', { id: `h${sim.now}`, action })
      return { hostBy }
    }
    case 'hand':
      sim.send(from(o.conn), 'hand', { id: `x${sim.now}`, raised: o.flag })
      break
    case 'tracks':
      sim.send(from(o.conn), 'tracks', {
        id: `x${sim.now}`,
        directory: { sessionId: 's', tracks: [{ name: 'a', kind: 'audio', source: 'mic', muted: o.flag }] },
      })
      break
    case 'reaction':
      sim.send(from(o.conn), 'reaction', { id: `x${sim.now}`, emoji: '🎉' })
      break
    case 'resync':
      sim.send(from(o.conn), 'resync', {})
      break
    case 'leave':
      sim.send(o.conn, 'leave', {})
      break
    case 'closed':
      sim.close(o.conn)
      break
    case 'rejected':
      sim.apply({ type: 'rejected', conn: o.conn, now: sim.now, code: 'bad_frame', message: 'bad' })
      break
    case 'tick':
      sim.tick(o.ms)
      break
    case 'restart':
      sim.restart()
      break
  }
  return { hostBy: null }
}

function checkState(s: RoomState): void {
  const conns = new Set<string>()
  for (const [pid, p] of Object.entries(s.participants)) {
    expect(p.info.id).toBe(pid)
    expect(s.waiting[pid]).toBeUndefined()
    if (p.conn !== null) {
      expect(conns.has(p.conn), 'one connection per participant').toBe(false)
      conns.add(p.conn)
      expect(s.connections[p.conn]?.participant).toBe(pid)
      expect(p.info.connected).toBe(true)
    } else {
      expect(p.info.connected).toBe(false)
      expect(p.graceUntil).not.toBeNull()
    }
  }
  for (const [pid, w] of Object.entries(s.waiting)) {
    expect(conns.has(w.conn)).toBe(false)
    conns.add(w.conn)
    expect(s.connections[w.conn]?.participant).toBe(pid)
  }
  for (const c of Object.values(s.connections)) {
    if (c.participant === null) continue
    const owner = s.participants[c.participant]?.conn ?? s.waiting[c.participant]?.conn
    expect(owner, 'a connection speaks for exactly one entry').toBe(c.id)
  }
  for (const list of [s.chat, s.dms]) {
    expect(list.length).toBeLessThanOrEqual(s.config.historySize)
    list.forEach((m, i) => i > 0 && expect(m.seq).toBe(list[i - 1]!.seq + 1))
    expect(new Set(list.map((m) => m.id)).size).toBe(list.length)
  }
  if (s.chat.length > 0) expect(s.chat.at(-1)!.seq).toBe(s.chatSeq)
  if (s.dms.length > 0) expect(s.dms.at(-1)!.seq).toBe(s.dmSeq)
}

function checkStep(before: RoomState, step: Step, hostBy: Role | null, isHostOp: boolean): void {
  const after = step.state
  expect(after.version).toBeGreaterThanOrEqual(before.version)
  // Deltas carry versions before+1, before+2, ... in order, each once.
  let expected = before.version
  for (const e of step.effects) {
    if (e.kind !== 'send' && e.kind !== 'broadcast') continue
    const parsed = ServerMessage.safeParse(e.message)
    if (!parsed.success) expect.fail(`${JSON.stringify(e.message)}: ${parsed.error.message}`)
    if (e.message.type === 'delta') {
      expect(e.message.version).toBe(expected + 1)
      expected = e.message.version
    } else {
      expect(e.message.version).toBeGreaterThanOrEqual(before.version)
    }
  }
  expect(after.version).toBeGreaterThanOrEqual(expected)
  if (after.version > before.version && expected === before.version) {
    // Only a wipe (end, retention) moves the version without a delta.
    expect(step.effects.some((e) => e.kind === 'deleteData')).toBe(true)
  }
  const wiped = step.effects.some((e) => e.kind === 'deleteData')
  const actedAsHost = isHostOp && hostBy !== null && isHostRole(hostBy)
  if (!actedAsHost && !wiped) {
    // Nobody but a host or co-host changes flags or roles, or removes someone.
    expect(after.flags).toEqual(before.flags)
    for (const [pid, p] of Object.entries(after.participants)) {
      const old = before.participants[pid]
      if (old && old.info.role !== p.info.role) expect.fail(`role of ${pid} changed without a host`)
    }
    for (const e of step.effects) {
      if (e.kind === 'broadcast' && e.message.type === 'delta' && e.message.change.kind === 'left') {
        expect(e.message.change.reason).not.toBe('removed')
      }
      if (e.kind === 'send' && e.message.type === 'order') expect.fail('order without a host')
    }
  }
  if (isHostOp && hostBy === 'cohost') {
    // A co-host moderates guests, but cannot touch a host, change roles or end the meeting.
    expect(wiped).toBe(false)
    for (const [pid, p] of Object.entries(before.participants)) {
      const now = after.participants[pid]
      if (p.info.role === 'host') expect(now, 'a co-host removed a host').toBeDefined()
      if (now) expect(now.info.role).toBe(p.info.role)
    }
  }
  if (isHostOp && (hostBy === null || !isHostRole(hostBy))) {
    expect(after.version).toBe(before.version)
  }
}

const seen = {
  chat: 0,
  dm: 0,
  duplicate: 0,
  hostAccepted: 0,
  hostRefused: 0,
  resumed: 0,
  restartWithPeople: 0,
  evicted: 0,
}

function count(sim: RoomSim, o: Op, before: RoomState, hostBy: Role | null): void {
  const effects = sim.lastStep?.effects ?? []
  for (const e of effects) {
    if (e.kind !== 'send' && e.kind !== 'broadcast') continue
    const m = e.message
    if (m.type === 'ack' && m.duplicate) seen.duplicate++
    if (m.type === 'welcome' && m.resumed) seen.resumed++
    if (m.type === 'delta' && m.change.kind === 'left' && m.change.reason !== 'left') seen.evicted++
  }
  if (o.op === 'chat') {
    seen.chat += sim.state.chatSeq > before.chatSeq ? 1 : 0
    seen.dm += sim.state.dmSeq > before.dmSeq ? 1 : 0
  }
  if (o.op === 'host' && hostBy !== null) {
    if (isHostRole(hostBy)) seen.hostAccepted++
    else seen.hostRefused++
  }
  if (o.op === 'restart' && Object.keys(before.participants).length > 0) seen.restartWithPeople++
}

describe('room core properties', () => {
  it('keeps its invariants over random event sequences (including restarts)', () => {
    fc.assert(
      fc.property(
        fc.array(op, { minLength: 5, maxLength: 150, size: 'max' }),
        fc.record({
          abuseBurst: fc.integer({ min: 1, max: 20 }),
          rateBurst: fc.integer({ min: 1, max: 60 }),
        }),
        (ops, limits) => {
          const sim = new RoomSim({
            heartbeatTimeoutMs: 30_000,
            graceMs: 20_000,
            retentionMs: 60_000,
            ...limits,
          })
          const secrets = new Map<string, string>()
          for (const o of ops) {
            const before = sim.state
            const { hostBy } = run(sim, o, secrets)
            count(sim, o, before, hostBy)
            if (o.op === 'restart') {
              // The store must give back what was acknowledged: the same chat and counters.
              expect(sim.state.chat).toEqual(before.chat)
              // A wiped room (ended, or past retention) starts a new life from zero; nobody is connected to see it.
              if (sim.store.data.has('head')) {
                expect(sim.state.chatSeq).toBe(before.chatSeq)
                expect(sim.state.version).toBeGreaterThanOrEqual(before.version)
              }
              checkState(sim.state)
              continue
            }
            checkState(sim.state)
            checkStep(before, sim.lastStep!, hostBy, o.op === 'host')
          }
        },
      ),
      { numRuns: 200 },
    )
    // The generator must reach the interesting paths, or the properties above prove little.
    expect(seen.chat).toBeGreaterThan(300)
    expect(seen.dm).toBeGreaterThan(100)
    expect(seen.duplicate).toBeGreaterThan(140)
    expect(seen.hostAccepted).toBeGreaterThan(260)
    expect(seen.hostRefused).toBeGreaterThan(110)
    expect(seen.resumed).toBeGreaterThan(400)
    expect(seen.restartWithPeople).toBeGreaterThan(160)
    expect(seen.evicted).toBeGreaterThan(150)
  })

  it('returns the same state object when an event changes nothing', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 5 }), (n) => {
        const sim = new RoomSim()
        const before = sim.state
        sim.close(`c${n}`)
        sim.apply({ type: 'tick', now: sim.now })
        return sim.state === before
      }),
    )
  })
})
