import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  DAY_MS,
  RETRY_DELAYS_MS,
  canInstallNow,
  initialUpdateState,
  retryDelay,
  transition,
  type UpdateEvent,
  type UpdateFailure,
  type UpdatePolicyState,
} from './updatePolicy'

const T0 = 1_700_000_000_000

function run(
  events: readonly UpdateEvent[],
  state: UpdatePolicyState = initialUpdateState({ autoUpdate: true, supported: true }),
  now = T0,
) {
  const effects: string[] = []
  for (const event of events) {
    const t = transition(state, event, now)
    state = t.state
    effects.push(
      ...t.effects.map((e) => (e.type === 'setInstallOnQuit' ? `installOnQuit=${e.value}` : e.type)),
    )
  }
  return { state, effects }
}

const failure = (stage: UpdateFailure['stage'], code = 'ECONNREFUSED'): UpdateEvent => ({
  type: 'failed',
  failure: { stage, code, message: 'x' },
})

describe('update policy', () => {
  it('checks on start, downloads a newer version, installs on quit once verified', () => {
    const { state, effects } = run([
      { type: 'started' },
      { type: 'updateAvailable', version: '1.1.0' },
      { type: 'progress', progress: { percent: 50, transferred: 5, total: 10, bytesPerSecond: 1 } },
      { type: 'downloaded', version: '1.1.0' },
    ])
    expect(effects).toEqual(['check', 'download', 'installOnQuit=true'])
    expect(state.phase).toEqual({ kind: 'downloaded', version: '1.1.0' })
    expect(canInstallNow(state)).toBe(true)
  })

  it('does nothing on start when automatic updates are off or the build cannot update', () => {
    expect(
      run([{ type: 'started' }], initialUpdateState({ autoUpdate: false, supported: true })).effects,
    ).toEqual([])
    const unsupported = initialUpdateState({ autoUpdate: true, supported: false })
    expect(run([{ type: 'started' }, { type: 'timer' }], unsupported).effects).toEqual([])
    expect(run([{ type: 'checkRequested' }], unsupported).effects).toEqual(['refused'])
  })

  it('checks again a day after "up to date", not before', () => {
    let { state } = run([{ type: 'started' }, { type: 'updateNotAvailable', latest: '1.0.0' }])
    expect(state.nextCheckAt).toBe(T0 + DAY_MS)
    expect(transition(state, { type: 'timer' }, T0 + DAY_MS - 1).effects).toEqual([])
    const t = transition(state, { type: 'timer' }, T0 + DAY_MS)
    expect(t.effects).toEqual([{ type: 'check' }])
    state = t.state
    expect(state.lastCheckedAt).toBe(T0 + DAY_MS)
  })

  it('backs off after failures and resets after a success', () => {
    let state = run([{ type: 'started' }, failure('check')]).state
    expect(state.phase.kind).toBe('failed')
    expect(state.nextCheckAt).toBe(T0 + RETRY_DELAYS_MS[0]!)
    state = run([{ type: 'timer' }, failure('check')], state, T0 + RETRY_DELAYS_MS[0]!).state
    expect(state.failures).toBe(2)
    expect(state.nextCheckAt).toBe(T0 + RETRY_DELAYS_MS[0]! + RETRY_DELAYS_MS[1]!)
    expect(retryDelay(99)).toBe(RETRY_DELAYS_MS.at(-1))
    state = run([{ type: 'checkRequested' }, { type: 'updateNotAvailable', latest: '1.0.0' }], state).state
    expect(state.failures).toBe(0)
  })

  it('a corrupt download is a failure, never a downloaded update', () => {
    const { state, effects } = run([
      { type: 'started' },
      { type: 'updateAvailable', version: '1.1.0' },
      failure('download', 'ERR_CHECKSUM_MISMATCH'),
      { type: 'installRequested' },
    ])
    expect(state.phase.kind).toBe('failed')
    expect(effects).toEqual(['check', 'download', 'refused'])
    expect(effects).not.toContain('install')
  })

  it('holds a found update until the meeting ends, and pauses a running download', () => {
    let r = run([
      { type: 'meetingChanged', inMeeting: true },
      { type: 'started' },
      { type: 'updateAvailable', version: '2.0.0' },
    ])
    expect(r.effects).toEqual(['check'])
    expect(r.state.phase).toEqual({ kind: 'available', version: '2.0.0' })
    r = run([{ type: 'meetingChanged', inMeeting: false }], r.state)
    expect(r.effects).toEqual(['download'])

    r = run([{ type: 'meetingChanged', inMeeting: true }], r.state)
    expect(r.effects).toEqual(['cancelDownload'])
    expect(r.state.phase.kind).toBe('pausing')
    // The meeting ends before the cancelled download settled: the download restarts only once it has.
    r = run([{ type: 'meetingChanged', inMeeting: false }], r.state)
    expect(r.effects).toEqual([])
    r = run([failure('download', 'ERR_CANCELLED')], r.state)
    expect(r.effects).toEqual(['download'])
    expect(r.state.failures).toBe(0)
  })

  it('refuses to install in a meeting and before a download finished', () => {
    const downloaded = run([
      { type: 'started' },
      { type: 'updateAvailable', version: '1.1.0' },
      { type: 'downloaded', version: '1.1.0' },
    ]).state
    expect(
      run([{ type: 'meetingChanged', inMeeting: true }, { type: 'installRequested' }], downloaded).effects,
    ).toEqual(['refused'])
    expect(run([{ type: 'installRequested' }], downloaded).effects).toEqual(['install'])
    expect(run([{ type: 'installRequested' }]).effects).toEqual(['refused'])
  })

  it('turning automatic updates off stops checks and install-on-quit; on again checks at once', () => {
    let r = run([{ type: 'started' }, { type: 'updateAvailable', version: '1.1.0' }])
    r = run([{ type: 'autoUpdateChanged', enabled: false }], r.state)
    expect(r.effects).toEqual(['cancelDownload'])
    expect(r.state).toMatchObject({ phase: { kind: 'idle' }, nextCheckAt: null })
    r = run([{ type: 'autoUpdateChanged', enabled: true }], r.state)
    expect(r.effects).toEqual(['check'])

    const downloaded = run(
      [
        { type: 'updateAvailable', version: '1.1.0' },
        { type: 'downloaded', version: '1.1.0' },
      ],
      r.state,
    )
    expect(run([{ type: 'autoUpdateChanged', enabled: false }], downloaded.state).effects).toEqual([
      'installOnQuit=false',
    ])
  })

  it('ignores stale results that arrive in another phase', () => {
    const idle = initialUpdateState({ autoUpdate: true, supported: true })
    for (const event of [
      { type: 'updateAvailable', version: '9.9.9' },
      { type: 'updateNotAvailable', latest: '1.0.0' },
      { type: 'downloaded', version: '9.9.9' },
      failure('download'),
    ] satisfies UpdateEvent[]) {
      expect(transition(idle, event, T0)).toEqual({ state: idle, effects: [] })
    }
  })
})

// Any sequence of events, in any order, with any clock. The happy-path events are weighted up so that long
// sequences regularly reach `downloaded` (and then meet meetings, clicks and failures); uniform choice rarely does.
const w = <T>(weight: number, arbitrary: fc.Arbitrary<T>) => ({ weight, arbitrary })
const anyEvent: fc.Arbitrary<UpdateEvent> = fc.oneof(
  w(3, fc.constantFrom({ type: 'started' } as const, { type: 'checkRequested' } as const)),
  w(1, fc.constant({ type: 'timer' } as const)),
  w(3, fc.constant({ type: 'installRequested' } as const)),
  w(1, fc.constant({ type: 'downloadCancelled' } as const)),
  w(
    1,
    fc.boolean().map((enabled) => ({ type: 'autoUpdateChanged', enabled }) as const),
  ),
  w(
    3,
    fc.boolean().map((inMeeting) => ({ type: 'meetingChanged', inMeeting }) as const),
  ),
  w(
    3,
    fc.constantFrom('1.0.0', '1.1.0').map((version) => ({ type: 'updateAvailable', version }) as const),
  ),
  w(1, fc.constant({ type: 'updateNotAvailable', latest: '1.0.0' } as const)),
  w(
    3,
    fc.constantFrom('1.0.0', '1.1.0').map((version) => ({ type: 'downloaded', version }) as const),
  ),
  w(
    1,
    fc
      .record({
        percent: fc.double({ min: 0, max: 100, noNaN: true }),
        transferred: fc.nat(),
        total: fc.nat(),
      })
      .map((p) => ({ type: 'progress', progress: { ...p, bytesPerSecond: 1 } }) as const),
  ),
  w(
    1,
    fc
      .constantFrom('check', 'download', 'install')
      .map((stage) => ({ type: 'failed', failure: { stage, code: null, message: 'x' } }) as const),
  ),
)

describe('update policy invariants (property-based)', () => {
  it('never installs or downloads in a meeting, never installs what was not downloaded', () => {
    fc.assert(
      fc.property(
        fc.boolean(),
        fc.boolean(),
        fc.array(fc.tuple(anyEvent, fc.integer({ min: 0, max: 3 * DAY_MS })), {
          minLength: 10,
          maxLength: 80,
          size: 'max',
        }),
        (autoUpdate, supported, steps) => {
          let state = initialUpdateState({ autoUpdate, supported })
          let now = T0
          for (const [event, dt] of steps) {
            now += dt
            const before = state
            const { state: after, effects } = transition(state, event, now)
            for (const effect of effects) {
              if (effect.type === 'install') {
                expect(before.phase.kind).toBe('downloaded')
                expect(before.inMeeting).toBe(false)
                expect(event.type).toBe('installRequested')
              }
              if (effect.type === 'download') expect(after.inMeeting).toBe(false)
              if (effect.type === 'check' || effect.type === 'download') expect(supported).toBe(true)
              // Automatic checks only with the setting on; a click always may.
              if (effect.type === 'check' && event.type !== 'checkRequested')
                expect(after.autoUpdate).toBe(true)
            }
            if (after.phase.kind === 'downloaded' && before.phase.kind !== 'downloaded') {
              expect(event.type).toBe('downloaded')
              expect(['downloading', 'pausing']).toContain(before.phase.kind)
            }
            // A newly planned check lies in the future (an old one may be overdue: the timer fires at once).
            if (after.nextCheckAt !== null && after.nextCheckAt !== before.nextCheckAt) {
              expect(after.nextCheckAt).toBeGreaterThanOrEqual(now)
            }
            state = after
          }
        },
      ),
      { numRuns: 1000 },
    )
  })
})
