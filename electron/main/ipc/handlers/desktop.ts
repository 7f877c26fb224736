import type { Handlers } from '../router'
import type { HandlerServices } from './index'

type DesktopChannels =
  | 'app:takeOpenRoom'
  | 'updates:getStatus'
  | 'updates:check'
  | 'updates:install'
  | 'updates:setAutoUpdate'
  | 'desktop:setMeetingState'
  | 'desktop:setUnreadCount'
  | 'desktop:notify'

/** Deep links, updates and OS habits (issue 10). In web mode the services behind these are no-ops. */
export function desktopHandlers(services: HandlerServices): Pick<Handlers, DesktopChannels> {
  const { desktop, updates, deepLinks } = services
  return {
    'app:takeOpenRoom': () => ({ request: deepLinks.take() }),
    'updates:getStatus': () => updates.status(),
    'updates:check': () => updates.checkNow(),
    'updates:install': () => updates.install(),
    'updates:setAutoUpdate': ({ enabled }) => updates.setAutoUpdate(enabled),
    'desktop:setMeetingState': ({ inMeeting }) => {
      desktop.setMeetingState(inMeeting)
      return {}
    },
    'desktop:setUnreadCount': ({ count }) => {
      desktop.setUnreadCount(count)
      return {}
    },
    'desktop:notify': (notification) => ({ shown: desktop.notify(notification) }),
  }
}
