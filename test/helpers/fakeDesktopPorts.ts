import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DeepLinkInbox } from '../../electron/main/deeplink/DeepLinkInbox'
import type {
  BadgePlan,
  DesktopPorts,
  DisplayInfo,
  NotificationContent,
  PowerSignal,
  WindowView,
} from '../../electron/main/desktop/types'
import type { UpdaterPort } from '../../electron/main/updater/UpdateService'

/** Desktop ports that record what the app asked of the OS, with knobs for window state, displays and power. */
export interface FakeDesktop {
  readonly ports: DesktopPorts
  view: WindowView | null
  displays: DisplayInfo[]
  readonly notifications: Array<NotificationContent & { click: () => void }>
  readonly wakeLocks: Set<number>
  readonly badges: BadgePlan[]
  focusCount: number
  notificationsSupported: boolean
  /** Fire a powerMonitor event. */
  power(signal: PowerSignal): void
  powerListeners(): number
}

export function fakeDesktop(
  options: {
    platform?: NodeJS.Platform
    prefsPath?: string
    updater?: UpdaterPort | null
    deepLinks?: DeepLinkInbox
  } = {},
): FakeDesktop {
  let nextLock = 1
  const powerListeners = new Set<(signal: PowerSignal) => void>()
  const fake: FakeDesktop = {
    view: { visible: true, focused: false, minimized: false },
    displays: [{ id: 1, primary: true, workArea: { x: 0, y: 0, width: 1920, height: 1040 } }],
    notifications: [],
    wakeLocks: new Set(),
    badges: [],
    focusCount: 0,
    notificationsSupported: true,
    power: (signal) => powerListeners.forEach((l) => l(signal)),
    powerListeners: () => powerListeners.size,
    ports: {
      platform: options.platform ?? 'linux',
      prefsPath: options.prefsPath ?? join(mkdtempSync(join(tmpdir(), 'convene-desktop-')), 'desktop.json'),
      updater: options.updater ?? null,
      deepLinks: options.deepLinks ?? new DeepLinkInbox(),
      windowView: () => fake.view,
      focusWindow: () => void fake.focusCount++,
      showNotification: (content, onClick) => {
        if (!fake.notificationsSupported) return false
        fake.notifications.push({ ...content, click: onClick })
        return true
      },
      startWakeLock: () => {
        const id = nextLock++
        fake.wakeLocks.add(id)
        return id
      },
      stopWakeLock: (id) => void fake.wakeLocks.delete(id),
      setBadge: (plan) => void fake.badges.push(plan),
      onPowerSignal: (listener) => {
        powerListeners.add(listener)
        return () => void powerListeners.delete(listener)
      },
      displays: () => fake.displays,
    },
  }
  return fake
}
