import { describe, expect, it } from 'vitest'
import { RoomSim } from './testing/roomSim'
import { applyChange, versionVerdict } from './view'

describe('client view', () => {
  it('tracks the room exactly by applying deltas to the welcome view', () => {
    const sim = new RoomSim()
    sim.enter('c1', 'Ada')
    let view = sim.last('c1', 'welcome')!.view
    const b = sim.enter('c2', 'Bo')
    sim.send('c2', 'chat', { id: 'm1', text: 'hello' })
    sim.send('c2', 'hand', { id: 'h', raised: true })
    sim.send('c1', 'host', { id: 'x', action: { kind: 'lock', locked: true } })
    sim.send('c2', 'leave', {})
    for (const m of sim.frames('c1')) {
      if (m.type !== 'delta') continue
      expect(versionVerdict(view.version, m.version, true)).toBe('apply')
      view = applyChange(view, m.change, m.version)
    }
    sim.send('c1', 'resync', {})
    expect(view).toEqual(sim.last('c1', 'snapshot')!.view)
    expect(view.participants.map((p) => p.id)).not.toContain(b)
  })

  it('asks for a snapshot on a gap and ignores old news', () => {
    expect(versionVerdict(5, 7, true)).toBe('resync')
    expect(versionVerdict(5, 5, true)).toBe('ignore')
    expect(versionVerdict(5, 6, false)).toBe('resync')
    expect(versionVerdict(5, 5, false)).toBe('ignore')
  })
})
