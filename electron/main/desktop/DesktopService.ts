import type { DesktopNotification, PowerAction } from '../../../shared/desktop/schemas'
import type { Logger } from '../../../shared/log/logger'
import { TokenBucket } from '../../../shared/util/tokenBucket'
import type { EventHub } from '../ipc/events'
import { planBadge } from './badge'
import type { DesktopPrefsStore } from './DesktopPrefs'
import { planNotification } from './notificationPolicy'
import { powerAction } from './powerPolicy'
import type { DesktopPorts, PowerSignal, Rect } from './types'
import {
  captureWindowState,
  restoreWindowState,
  type RestoredWindow,
  type WindowDefaults,
} from './windowState'

export interface DesktopServiceOptions {
  /** null in web mode: every OS habit becomes a no-op. */
  readonly ports: DesktopPorts | null
  readonly events: EventHub
  readonly log: Logger
  readonly prefs: DesktopPrefsStore
  /** Monotonic milliseconds, for the notification rate limit. */
  readonly now?: () => number
}

/**
 * The desktop habits of a meeting app, each a small policy over a port: keep the display awake during a meeting,
 * notify about chat and join requests while the window is out of sight, badge unread chat, leave or mute on
 * suspend and lock, and remember where the window was.
 *
 * "In a meeting" is reported by the meeting UI (`desktop:setMeetingState`); other parts (the updater) subscribe.
 */
export class DesktopService {
  private meeting = false
  private wakeLock: number | null = null
  private readonly meetingListeners = new Set<(inMeeting: boolean) => void>()
  private readonly powerListeners = new Set<(action: PowerAction) => void>()
  // Bursts of chat become a few notifications, not a wall of them.
  private readonly notifyBudget: TokenBucket
  private readonly unsubscribePower: () => void

  constructor(private readonly options: DesktopServiceOptions) {
    this.notifyBudget = new TokenBucket(0.5, 3, options.now)
    this.unsubscribePower =
      options.ports?.onPowerSignal((signal) => this.handlePowerSignal(signal)) ?? (() => {})
  }

  get inMeeting(): boolean {
    return this.meeting
  }

  /** The meeting UI joined or left. Holds the display awake while in a meeting. */
  setMeetingState(inMeeting: boolean): void {
    if (inMeeting === this.meeting) return
    this.meeting = inMeeting
    const ports = this.options.ports
    if (ports) {
      if (inMeeting && this.wakeLock === null) this.wakeLock = ports.startWakeLock()
      if (!inMeeting && this.wakeLock !== null) {
        ports.stopWakeLock(this.wakeLock)
        this.wakeLock = null
      }
    }
    this.options.log.info(inMeeting ? 'meeting started' : 'meeting ended')
    for (const listener of this.meetingListeners) this.safely(() => listener(inMeeting))
  }

  onMeetingChange(listener: (inMeeting: boolean) => void): () => void {
    this.meetingListeners.add(listener)
    return () => void this.meetingListeners.delete(listener)
  }

  /** Actions the meeting must take because of the OS, for main-side listeners (the renderer gets an event). */
  onPowerAction(listener: (action: PowerAction) => void): () => void {
    this.powerListeners.add(listener)
    return () => void this.powerListeners.delete(listener)
  }

  /** Restore, show and focus the main window (after a deep link or a notification click). */
  focusWindow(): void {
    this.options.ports?.focusWindow()
  }

  setUnreadCount(count: number): void {
    const ports = this.options.ports
    ports?.setBadge(planBadge(count, ports.platform))
  }

  /** Show a notification if the window is out of sight; true when one was shown. */
  notify(input: DesktopNotification): boolean {
    const ports = this.options.ports
    if (!ports) return false
    const planned = planNotification(input, ports.windowView(), ports.platform)
    if (!planned || !this.notifyBudget.take()) return false
    return ports.showNotification(planned, () => {
      ports.focusWindow()
      this.options.events.emit('desktop:notificationClicked', planned.click)
    })
  }

  handlePowerSignal(signal: PowerSignal): PowerAction | null {
    const action = powerAction(signal, this.meeting)
    this.options.log.info('power signal', { signal, action: action?.action ?? 'none' })
    if (!action) return null
    this.options.events.emit('desktop:powerAction', action)
    for (const listener of this.powerListeners) this.safely(() => listener(action))
    return action
  }

  /** Where to open the main window, checked against the displays that exist now. */
  restoreWindow(defaults: WindowDefaults): RestoredWindow {
    const displays = this.options.ports?.displays() ?? []
    return restoreWindowState(this.options.prefs.get().window, displays, defaults)
  }

  /** Remember the window's normal (un-maximised) bounds and its maximised / full-screen flags. */
  saveWindow(bounds: Rect, maximized: boolean, fullScreen: boolean): void {
    const state = captureWindowState(bounds, maximized, fullScreen)
    if (state) this.options.prefs.update({ window: state })
  }

  dispose(): void {
    this.unsubscribePower()
    if (this.wakeLock !== null) this.options.ports?.stopWakeLock(this.wakeLock)
    this.wakeLock = null
    this.meetingListeners.clear()
    this.powerListeners.clear()
  }

  private safely(fn: () => void): void {
    try {
      fn()
    } catch (error) {
      this.options.log.warn('desktop listener threw', { error: String(error).slice(0, 200) })
    }
  }
}
