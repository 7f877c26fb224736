import type { Logger } from '../../../shared/log/logger'
import type { Notice } from '../../../shared/settings/schema'
import { DeepLinkInbox } from '../deeplink/DeepLinkInbox'
import type { EventHub } from '../ipc/events'
import { UpdateService } from '../updater/UpdateService'
import { DesktopPrefsStore } from './DesktopPrefs'
import { DesktopService } from './DesktopService'
import type { DesktopPorts } from './types'

export interface DesktopServices {
  readonly desktop: DesktopService
  readonly updates: UpdateService
  readonly deepLinks: DeepLinkInbox
}

/**
 * Wire the desktop integration: OS habits, the updater (paused by meetings) and the deep-link inbox, each pushing
 * its events to the renderer. With no ports (web mode) everything exists but does nothing, so the same handlers
 * serve both shells. The updater does not check until `updates.start()` (index.ts, once the window is up).
 */
export function createDesktopServices(options: {
  readonly ports: DesktopPorts | null
  readonly events: EventHub
  readonly log: Logger
  readonly notices: Notice[]
}): DesktopServices {
  const { ports, events, log } = options
  const prefs = DesktopPrefsStore.open(ports?.prefsPath ?? null, log.child('desktop'), options.notices)
  const desktop = new DesktopService({ ports, events, log: log.child('desktop'), prefs })
  const updates = new UpdateService({
    port: ports?.updater ?? null,
    autoUpdate: prefs.get().autoUpdate,
    log: log.child('updates'),
    saveAutoUpdate: (autoUpdate) => prefs.update({ autoUpdate }),
  })
  updates.onStatus((status) => events.emit('updates:status', status))
  desktop.onMeetingChange((inMeeting) => updates.setInMeeting(inMeeting))
  const deepLinks = ports?.deepLinks ?? new DeepLinkInbox()
  deepLinks.setLogger(log.child('deeplink'))
  deepLinks.onLink((request) => events.emit('app:openRoom', request))
  return { desktop, updates, deepLinks }
}
