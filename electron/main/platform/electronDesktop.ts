import { join } from 'node:path'
import {
  app,
  nativeImage,
  Notification,
  powerMonitor,
  powerSaveBlocker,
  screen,
  type BrowserWindow,
} from 'electron'
import type { DeepLinkInbox } from '../deeplink/DeepLinkInbox'
import type { DesktopService } from '../desktop/DesktopService'
import type { DesktopPorts, PowerSignal } from '../desktop/types'
import type { UpdaterPort } from '../updater/UpdateService'

// Windows taskbar overlay for unread chat: a red dot (32 px, drawn from an SVG with rsvg-convert).
const UNREAD_DOT =
  'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAACAAAAAgCAYAAABzenr0AAAABmJLR0QA/wD/AP+gvaeTAAADZ0lEQVRYhc2X328UVRTHP2dnymxTsknLLmq3+oCYCAnubrGBEv8CUu0DSkw0BlrLG1GikCINxKA20dQ+GBOShgZMVF740ZA0/gW0TaPtUp6oD8KWUtptH5Y07tDZHh92Zztdge7CTvT7dGZn9nw/987ce8+B/1hS7oOqagD7gHagBXgBaCrcTgHzwDgwBNwQkVxVCFW1VlW7VXVey9cDVT2hqsGN8j91BlT1PeB7CiN1UjNkR8ew/5gkl06TSy8CYETCGOEtWIkEwdY9mE1RN0UKOCYilysCUFUBzgCnAVm5PU1m8CJ28uZGAwJg087XCXUeZtPOHQAKfAt8ISKrGwKoagD4FTiojkPm3ADLw7+Balnma5mFurb9hI50IqYJcAn4oBTicQC9QPfqw4csne3l0dStyoxLZMV2Ud9zksDmzQBfi0jPEwFU9SBwSR1Hlk6dwb459VzmXoiGr75ETFOBd0Xkinsv4DGvBfoAyZwbqJo5gJ2cIjNwHvID7veujoDnuU+AppXb0/l3XmUtXx9mZfpPgFeAo+sACpvMMYDM4IXKP7hypEpm8KJ79VnBszgDbwFbnVQKO1m9qS+VPZnEmbkH+V201QvQDpAdGfPN3FV2tOjR7gVoBrAnkr4D2BOTbrjbC9AIkFtY8B0gN1/0aPQCvASQW1ryH2Bx0Q2jXoDCZ1/26fzskuLKX/UC3AcwGhp89ze2FD1mvQCzAMbWsP8AkYgb3vcC/A5gJeK+A1jNCTcc9wIMAQT3tfoOENzb4oZDXoAbwLwZbcSKx3wzt5rjmNEowANgtAhQKCD7AEJdh0F8WA0ihA595F595xYm3tPwByBVs20bdW/vr7p/3Ttt1Ly2HeAO8KP7exFARP4mfyJqqKsTK7arauZWPEaoqwPy+82nIpL9F0AB4jLwjZgm9T0nsWJvVMW8/lQ3YhgAZ0Xk2jrP0j8UitKfgffVccgMnGf5+vCzFaXtbYQ+7nDNfwE+FJF1iZ5Wlp8AegFx/rpD5sJPZMfGy/K2EjFCHYeo2f4qVFqWl4AcAPqBlwGce7NkR0axJybJLaTJpdMAGOEIRiSM1RwnuHcPZrTRTXGX/Du/Whb5EyCCqnpcVecqaM3mVPXz527NSkACrDWnbwIvstaczgBzrDWnI4+b7v+l/gEdx4e2K76m2QAAAABJRU5ErkJggg=='

const POWER_SIGNALS: readonly PowerSignal[] = [
  'suspend',
  'resume',
  'lock-screen',
  'unlock-screen',
  'shutdown',
]

/**
 * The Electron side of the desktop ports: each function is one Electron call, with no decisions (those live in
 * electron/main/desktop/ and are tested in Node). Call after `app` is ready (screen and powerMonitor need it).
 */
export function electronDesktopPorts(options: {
  readonly mainWindow: () => BrowserWindow | undefined
  readonly updater: UpdaterPort | null
  readonly deepLinks: DeepLinkInbox
}): DesktopPorts {
  const { mainWindow } = options
  // Electron drops a Notification's click handler once the object is garbage-collected: keep them until closed.
  const live = new Set<Notification>()
  let overlay: Electron.NativeImage | null = null
  return {
    platform: process.platform,
    prefsPath: join(app.getPath('userData'), 'desktop.json'),
    updater: options.updater,
    deepLinks: options.deepLinks,
    windowView: () => {
      const win = mainWindow()
      if (!win || win.isDestroyed()) return null
      return { visible: win.isVisible(), focused: win.isFocused(), minimized: win.isMinimized() }
    },
    focusWindow: () => {
      const win = mainWindow()
      if (!win || win.isDestroyed()) return
      if (win.isMinimized()) win.restore()
      win.show()
      win.focus()
    },
    showNotification: (content, onClick) => {
      if (!Notification.isSupported()) return false
      const notification = new Notification({
        title: content.title,
        body: content.body,
        silent: content.silent,
      })
      const drop = (): void => void live.delete(notification)
      notification.on('click', () => {
        drop()
        onClick()
      })
      notification.on('close', drop)
      notification.on('failed', drop)
      live.add(notification)
      notification.show()
      return true
    },
    startWakeLock: () => powerSaveBlocker.start('prevent-display-sleep'),
    stopWakeLock: (id) => {
      if (powerSaveBlocker.isStarted(id)) powerSaveBlocker.stop(id)
    },
    setBadge: (plan) => {
      if (process.platform === 'win32') {
        const win = mainWindow()
        if (!win || win.isDestroyed()) return
        overlay ??= nativeImage.createFromDataURL(UNREAD_DOT)
        win.setOverlayIcon(plan.overlay === null ? null : overlay, plan.overlay ?? '')
      } else {
        app.setBadgeCount(plan.count)
      }
    },
    onPowerSignal: (listener) => {
      const handlers = POWER_SIGNALS.map((signal) => {
        const handler = (): void => listener(signal)
        powerMonitor.on(signal as 'suspend', handler)
        return () => void powerMonitor.removeListener(signal as 'suspend', handler)
      })
      return () => handlers.forEach((remove) => remove())
    },
    displays: () => {
      const primary = screen.getPrimaryDisplay().id
      return screen
        .getAllDisplays()
        .map((d) => ({ id: d.id, workArea: d.workArea, primary: d.id === primary }))
    },
  }
}

/**
 * Open the window where it was (checked against today's displays) and remember where it goes. Saves on close and,
 * debounced, after moves and resizes, so a crash loses at most the last second.
 */
export function trackWindowState(win: BrowserWindow, desktop: DesktopService): void {
  // The sizes mainWindowOptions gave the new window are the defaults.
  const [width = 1280, height = 800] = win.getSize()
  const [minWidth = 0, minHeight = 0] = win.getMinimumSize()
  const restored = desktop.restoreWindow({ width, height, minWidth, minHeight })
  if (restored.x !== undefined && restored.y !== undefined) {
    win.setBounds({ x: restored.x, y: restored.y, width: restored.width, height: restored.height })
  } else {
    win.setSize(restored.width, restored.height)
    win.center()
  }
  win.once('ready-to-show', () => {
    if (restored.maximized) win.maximize()
    if (restored.fullScreen) win.setFullScreen(true)
  })
  let timer: ReturnType<typeof setTimeout> | undefined
  const save = (): void => {
    clearTimeout(timer)
    if (win.isDestroyed() || win.isMinimized()) return
    desktop.saveWindow(win.getNormalBounds(), win.isMaximized(), win.isFullScreen())
  }
  const later = (): void => {
    clearTimeout(timer)
    timer = setTimeout(save, 1000)
  }
  win.on('resize', later)
  win.on('move', later)
  win.on('maximize', save)
  win.on('unmaximize', save)
  win.on('close', save)
  // A meeting cannot outlive its window: release the wake lock (and the updater's hold) if the page goes away
  // without saying it left.
  win.on('closed', () => desktop.setMeetingState(false))
  win.webContents.on('render-process-gone', () => desktop.setMeetingState(false))
}
