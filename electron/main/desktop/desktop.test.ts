import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { EventName } from '../../../shared/ipc/contract'
import { createLogger } from '../../../shared/log/logger'
import { Redactor } from '../../../shared/log/redact'
import { fakeDesktop } from '../../../test/helpers/fakeDesktopPorts'
import { EventHub } from '../ipc/events'
import { planBadge } from './badge'
import { DesktopPrefsStore } from './DesktopPrefs'
import { DesktopService } from './DesktopService'
import { notificationText, planNotification } from './notificationPolicy'
import { powerAction } from './powerPolicy'
import type { DisplayInfo, Rect } from './types'
import { restoreWindowState, type SavedWindowState } from './windowState'

const log = createLogger('test', [], new Redactor())
const DEFAULTS = { width: 1280, height: 800, minWidth: 720, minHeight: 480 }

function service(options: { platform?: NodeJS.Platform; prefsPath?: string | null } = {}) {
  const desktop = fakeDesktop({ platform: options.platform ?? 'linux' })
  const events = new EventHub()
  const emitted: Array<[EventName, unknown]> = []
  events.attach((channel, payload) => emitted.push([channel, payload]))
  let now = 0
  const prefs = DesktopPrefsStore.open(options.prefsPath ?? null, log)
  const svc = new DesktopService({ ports: desktop.ports, events, log, prefs, now: () => now })
  return { desktop, svc, emitted, prefs, advance: (ms: number) => void (now += ms) }
}

describe('wake lock', () => {
  it('keeps the display awake exactly while in a meeting', () => {
    const { desktop, svc } = service()
    svc.setMeetingState(true)
    svc.setMeetingState(true)
    expect(desktop.wakeLocks.size).toBe(1)
    svc.setMeetingState(false)
    expect(desktop.wakeLocks.size).toBe(0)
    svc.setMeetingState(true)
    svc.dispose()
    expect(desktop.wakeLocks.size).toBe(0)
    expect(desktop.powerListeners()).toBe(0)
  })
})

describe('notifications', () => {
  it('shows chat and join requests only while the window is out of sight', () => {
    const { desktop, svc } = service()
    desktop.view = { visible: true, focused: true, minimized: false }
    expect(svc.notify({ kind: 'chat', from: 'Ada', text: 'hi' })).toBe(false)
    desktop.view = { visible: true, focused: false, minimized: false }
    expect(svc.notify({ kind: 'chat', from: 'Ada', text: 'hi' })).toBe(true)
    desktop.view = { visible: false, focused: false, minimized: false }
    expect(svc.notify({ kind: 'joinRequest', name: 'Grace' })).toBe(true)
    desktop.view = { visible: true, focused: true, minimized: true }
    expect(svc.notify({ kind: 'chat', from: 'Ada', text: 'again' })).toBe(true)
    expect(desktop.notifications.map((n) => n.title)).toEqual(['Ada', 'Someone is waiting to join', 'Ada'])
    expect(desktop.notifications[1]).toMatchObject({ silent: false, body: expect.stringContaining('Grace') })
  })

  it('a click focuses the window and tells the renderer which panel to open', () => {
    const { desktop, svc, emitted } = service()
    svc.notify({ kind: 'joinRequest', name: 'Grace' })
    desktop.notifications[0]!.click()
    expect(desktop.focusCount).toBe(1)
    expect(emitted).toEqual([['desktop:notificationClicked', { kind: 'joinRequest' }]])
  })

  it('turns a burst of chat into a few notifications', () => {
    const { desktop, svc, advance } = service()
    for (let i = 0; i < 20; i++) svc.notify({ kind: 'chat', from: 'Ada', text: `message ${i}` })
    expect(desktop.notifications).toHaveLength(3)
    advance(2000)
    expect(svc.notify({ kind: 'chat', from: 'Ada', text: 'later' })).toBe(true)
  })

  it('cleans text from other participants before the OS shows it', () => {
    expect(notificationText('a\u202e\u0007b\n\nc', 'darwin')).toBe('a b c')
    expect(notificationText('<b>x</b> & y', 'linux')).toBe('&lt;b&gt;x&lt;/b&gt; &amp; y')
    expect(notificationText('x'.repeat(500), 'win32')).toHaveLength(180)
    const planned = planNotification({ kind: 'chat', from: 'Ada', text: ' \u0000 ' }, null, 'darwin')
    expect(planned?.body).toBe('Sent a message')
  })
})

describe('badge', () => {
  it('counts on macOS and Linux, overlays on Windows, clears at zero', () => {
    expect(planBadge(3, 'darwin')).toEqual({ count: 3, overlay: null })
    expect(planBadge(-1, 'linux')).toEqual({ count: 0, overlay: null })
    expect(planBadge(1, 'win32')).toEqual({ count: 0, overlay: '1 unread message' })
    expect(planBadge(250, 'win32').overlay).toBe('99+ unread messages')
    expect(planBadge(0, 'win32').overlay).toBeNull()
    const { desktop, svc } = service({ platform: 'darwin' })
    svc.setUnreadCount(4)
    expect(desktop.badges).toEqual([{ count: 4, overlay: null }])
  })
})

describe('suspend and lock', () => {
  it('leaves before sleep, mutes on lock, resumes nothing by itself', () => {
    expect(powerAction('suspend', false)).toBeNull()
    expect(powerAction('resume', true)).toBeNull()
    expect(powerAction('unlock-screen', true)).toBeNull()
    const { desktop, svc, emitted } = service()
    const seen: string[] = []
    svc.onPowerAction((a) => seen.push(a.action))
    desktop.power('lock-screen')
    expect(emitted).toEqual([])
    svc.setMeetingState(true)
    desktop.power('lock-screen')
    desktop.power('unlock-screen')
    desktop.power('suspend')
    desktop.power('resume')
    expect(emitted).toEqual([
      ['desktop:powerAction', { action: 'mute', reason: 'lock-screen' }],
      ['desktop:powerAction', { action: 'leave', reason: 'suspend' }],
    ])
    expect(seen).toEqual(['mute', 'leave'])
  })
})

describe('window placement', () => {
  const primary: DisplayInfo = { id: 1, primary: true, workArea: { x: 0, y: 25, width: 1440, height: 875 } }
  const right: DisplayInfo = { id: 2, primary: false, workArea: { x: 1440, y: 0, width: 2560, height: 1400 } }
  const saved = (rect: Rect, extra: Partial<SavedWindowState> = {}): SavedWindowState => ({
    ...rect,
    maximized: false,
    fullScreen: false,
    ...extra,
  })

  it('restores a window where it was when that place still exists', () => {
    expect(
      restoreWindowState(saved({ x: 1600, y: 100, width: 1200, height: 900 }), [primary, right], DEFAULTS),
    ).toEqual({ x: 1600, y: 100, width: 1200, height: 900, maximized: false, fullScreen: false })
  })

  it('brings back a window from an unplugged monitor, centred on the primary display', () => {
    const r = restoreWindowState(
      saved({ x: 1600, y: 100, width: 1200, height: 900 }, { maximized: true }),
      [primary],
      DEFAULTS,
    )
    expect(r).toEqual({ x: 120, y: 25, width: 1200, height: 875, maximized: true, fullScreen: false })
  })

  it('pulls a half-off-screen window inside and shrinks one larger than the display', () => {
    expect(
      restoreWindowState(saved({ x: -500, y: 800, width: 900, height: 600 }), [primary], DEFAULTS),
    ).toMatchObject({
      x: 0,
      y: 300,
    })
    expect(
      restoreWindowState(saved({ x: 0, y: 0, width: 5000, height: 5000 }), [primary], DEFAULTS),
    ).toMatchObject({
      width: 1440,
      height: 875,
    })
  })

  it('uses defaults without a saved state, and without any display', () => {
    expect(restoreWindowState(null, [primary], DEFAULTS)).toEqual({
      width: 1280,
      height: 800,
      maximized: false,
      fullScreen: false,
    })
    expect(restoreWindowState(saved({ x: 1, y: 1, width: 10, height: 10 }), [], DEFAULTS)).toEqual({
      width: 1280,
      height: 800,
      maximized: false,
      fullScreen: false,
    })
  })

  it('never places a window off-screen, whatever was saved and whatever the displays are', () => {
    const rect = fc.record({
      x: fc.integer({ min: -20_000, max: 20_000 }),
      y: fc.integer({ min: -20_000, max: 20_000 }),
      width: fc.integer({ min: 1, max: 10_000 }),
      height: fc.integer({ min: 1, max: 10_000 }),
    })
    const display = fc.record({
      id: fc.nat(),
      primary: fc.boolean(),
      workArea: fc.record({
        x: fc.integer({ min: -10_000, max: 10_000 }),
        y: fc.integer({ min: -10_000, max: 10_000 }),
        width: fc.integer({ min: 200, max: 8000 }),
        height: fc.integer({ min: 200, max: 5000 }),
      }),
    })
    fc.assert(
      fc.property(
        rect,
        fc.boolean(),
        fc.array(display, { minLength: 1, maxLength: 4 }),
        (r, maximized, displays) => {
          const out = restoreWindowState(saved(r, { maximized }), displays, DEFAULTS)
          const inside = displays.some(
            (d) =>
              out.x! >= d.workArea.x &&
              out.y! >= d.workArea.y &&
              out.x! + out.width <= d.workArea.x + d.workArea.width &&
              out.y! + out.height <= d.workArea.y + d.workArea.height,
          )
          expect(inside).toBe(true)
          expect(out.maximized).toBe(maximized)
        },
      ),
      { numRuns: 1000 },
    )
  })

  it('saves the window to desktop.json atomically and reads it back; a damaged file is set aside', () => {
    const dir = mkdtempSync(join(tmpdir(), 'convene-desktop-'))
    const path = join(dir, 'desktop.json')
    const first = service({ prefsPath: path })
    first.svc.saveWindow({ x: 10, y: 40, width: 900, height: 700 }, true, false)
    first.svc.saveWindow({ x: 0, y: 0, width: -5, height: 0 }, false, false) // a minimised window's nonsense
    expect(JSON.parse(readFileSync(path, 'utf8'))).toMatchObject({
      window: { x: 10, y: 40, maximized: true },
    })
    const second = service({ prefsPath: path })
    expect(second.svc.restoreWindow(DEFAULTS)).toMatchObject({
      x: 10,
      y: 40,
      width: 900,
      height: 700,
      maximized: true,
    })

    writeFileSync(path, '{ not json')
    const notices: Array<{ id: string }> = []
    const prefs = DesktopPrefsStore.open(path, log, notices as never)
    expect(prefs.get()).toEqual({ autoUpdate: true, window: null })
    expect(notices).toHaveLength(1)
    expect(readdirSync(dir).some((f) => f.startsWith('desktop.corrupt-'))).toBe(true)

    // A wrong field falls back alone.
    writeFileSync(path, JSON.stringify({ autoUpdate: false, window: { x: 'left' } }))
    expect(DesktopPrefsStore.open(path, log).get()).toEqual({ autoUpdate: false, window: null })
  })
})
