import type { DeepLinkInbox } from '../deeplink/DeepLinkInbox'
import type { UpdaterPort } from '../updater/UpdateService'

export interface Rect {
  readonly x: number
  readonly y: number
  readonly width: number
  readonly height: number
}

export interface DisplayInfo {
  readonly id: number
  /** The part of the display windows may use (without taskbar, dock, menu bar), in DIPs. */
  readonly workArea: Rect
  readonly primary: boolean
}

/** The main window as far as notifications care; null when no window exists. */
export interface WindowView {
  readonly visible: boolean
  readonly focused: boolean
  readonly minimized: boolean
}

export type PowerSignal = 'suspend' | 'resume' | 'lock-screen' | 'unlock-screen' | 'shutdown'

export interface BadgePlan {
  /** For `app.setBadgeCount` (macOS dock, Linux launchers); 0 clears. */
  readonly count: number
  /** Windows taskbar overlay: its accessible description, or null to clear the overlay. */
  readonly overlay: string | null
}

export interface NotificationContent {
  readonly title: string
  readonly body: string
  readonly silent: boolean
}

/**
 * Everything the desktop integration needs from Electron, as small functions. The Electron implementation is
 * `platform/electronDesktop.ts`; tests pass fakes. Web mode has none (`Platform.desktop` is undefined).
 */
export interface DesktopPorts {
  readonly platform: NodeJS.Platform
  /** Where `desktop.json` (window placement, update setting) lives. */
  readonly prefsPath: string
  windowView(): WindowView | null
  /** Restore, show and focus the main window; a no-op before it exists. */
  focusWindow(): void
  /** Show an OS notification; false where the OS has none. */
  showNotification(content: NotificationContent, onClick: () => void): boolean
  /** `powerSaveBlocker.start('prevent-display-sleep')`: returns its id. */
  startWakeLock(): number
  stopWakeLock(id: number): void
  setBadge(plan: BadgePlan): void
  /** Subscribe to powerMonitor; returns the unsubscriber. */
  onPowerSignal(listener: (signal: PowerSignal) => void): () => void
  displays(): readonly DisplayInfo[]
  /** electron-updater behind the update policy; null when the shell has none. */
  readonly updater: UpdaterPort | null
  /** Links the OS handed over (created before `ready`, see index.ts). */
  readonly deepLinks: DeepLinkInbox
}
