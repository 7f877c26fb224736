import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { defaultReconnectPolicy, transition, type CallEvent, type CallState } from './callMachine'

const policy = defaultReconnectPolicy({ random: () => 0.5, maxRebuilds: 3 })
const run = (events: CallEvent[], start: CallState = { kind: 'idle' }) =>
  events.reduce<{ state: CallState; effects: string[] }>(
    (acc, e) => {
      const t = transition(acc.state, e, policy)
      return { state: t.state, effects: [...acc.effects, t.effect.type] }
    },
    { state: start, effects: [] },
  )

describe('call state machine', () => {
  it('joins, connects and flushes buffered events', () => {
    const r = run([{ type: 'join' }, { type: 'transportUp' }])
    expect(r.state).toEqual({ kind: 'connected' })
    expect(r.effects).toEqual(['startSession', 'flushBuffered'])
  })

  it('repairs a blip with an ICE restart first, then rebuilds the session', () => {
    const r = run([
      { type: 'join' },
      { type: 'transportUp' },
      { type: 'transportDown', fatal: false },
      { type: 'retryDue' },
      { type: 'repairFailed' },
      { type: 'retryDue' },
      { type: 'repairFailed' },
      { type: 'retryDue' },
    ])
    expect(r.effects).toEqual([
      'startSession',
      'flushBuffered',
      'scheduleRetry',
      'iceRestart',
      'scheduleRetry',
      'iceRestart',
      'scheduleRetry',
      'rebuildSession',
    ])
    expect(r.state).toMatchObject({ kind: 'reconnecting', phase: 'rebuild', attempt: 0 })
    expect(run([{ type: 'transportUp' }], r.state).state).toEqual({ kind: 'connected' })
  })

  it('gives up after the policy says so and tears down', () => {
    let state: CallState = { kind: 'reconnecting', phase: 'rebuild', attempt: 0 }
    const effects: string[] = []
    for (let i = 0; i < 5; i++) {
      const t = transition(state, { type: 'repairFailed' }, policy)
      state = t.state
      effects.push(t.effect.type)
    }
    expect(state).toEqual({ kind: 'closed', reason: 'failed' })
    expect(effects).toContain('teardown')
  })

  it('a fatal drop skips the ICE restart', () => {
    const r = run([
      { type: 'join' },
      { type: 'transportUp' },
      { type: 'transportDown', fatal: true },
      { type: 'retryDue' },
    ])
    expect(r.effects.at(-1)).toBe('rebuildSession')
  })

  it('a lost session (media server restarted) skips the ICE restart, from connected and mid-resume', () => {
    const fromConnected = run([{ type: 'join' }, { type: 'transportUp' }, { type: 'sessionLost' }])
    expect(fromConnected.state).toEqual({ kind: 'reconnecting', phase: 'rebuild', attempt: 0 })
    expect(run([{ type: 'retryDue' }], fromConnected.state).effects).toEqual(['rebuildSession'])

    // The ICE restart's renegotiate answered 410: no second ICE restart on a session that is gone.
    const midResume = run([
      { type: 'join' },
      { type: 'transportUp' },
      { type: 'transportDown', fatal: false },
      { type: 'retryDue' },
      { type: 'sessionLost' },
      { type: 'retryDue' },
    ])
    expect(midResume.effects.slice(-3)).toEqual(['iceRestart', 'scheduleRetry', 'rebuildSession'])
    expect(midResume.state).toEqual({ kind: 'reconnecting', phase: 'rebuild', attempt: 0 })

    const whileJoining = run([{ type: 'join' }, { type: 'sessionLost' }])
    expect(whileJoining.state).toEqual({ kind: 'reconnecting', phase: 'rebuild', attempt: 0 })
  })

  it('a session lost again during a rebuild counts towards the limit, then gives up', () => {
    let state: CallState = { kind: 'reconnecting', phase: 'rebuild', attempt: 0 }
    const attempts: number[] = []
    for (let i = 0; i < 3; i++) {
      state = transition(state, { type: 'sessionLost' }, policy).state
      if (state.kind === 'reconnecting') attempts.push(state.attempt)
    }
    expect(attempts).toEqual([1, 2])
    expect(state).toEqual({ kind: 'closed', reason: 'failed' })
    expect(transition({ kind: 'idle' }, { type: 'sessionLost' }, policy).state).toEqual({ kind: 'idle' })
    expect(transition({ kind: 'leaving' }, { type: 'sessionLost' }, policy).effect.type).toBe('none')
  })

  it('random event sequences never leave closed and never emit effects after it', () => {
    const event = fc.constantFrom<CallEvent>(
      { type: 'join' },
      { type: 'transportUp' },
      { type: 'transportDown', fatal: false },
      { type: 'transportDown', fatal: true },
      { type: 'repairFailed' },
      { type: 'sessionLost' },
      { type: 'retryDue' },
      { type: 'leave' },
      { type: 'left' },
      { type: 'kicked', reason: 'removed' },
    )
    fc.assert(
      fc.property(fc.array(event, { maxLength: 60 }), (events) => {
        let state: CallState = { kind: 'idle' }
        let closed = false
        for (const e of events) {
          const t = transition(state, e, policy)
          if (closed) {
            expect(t.state.kind).toBe('closed')
            expect(t.effect.type).toBe('none')
          }
          if (t.effect.type === 'scheduleRetry') expect(t.effect.delayMs).toBeGreaterThanOrEqual(0)
          state = t.state
          closed ||= state.kind === 'closed'
        }
      }),
    )
  })
})
