import { useCallback, useEffect, useRef } from 'react'
import type { DesktopNotification, NotificationClick, PowerAction } from '../../../shared/desktop/schemas'
import { api } from '../platform/api'

export interface DesktopMeetingOptions {
  /** True from join until leave: keeps the display awake and holds update downloads and installs. */
  readonly inMeeting: boolean
  /** Unread chat messages, for the dock or taskbar badge. */
  readonly unreadCount: number
  /** The OS is going to sleep or shutting down (`leave`), or the screen locked (`mute` camera and microphone). */
  readonly onPowerAction: (action: PowerAction) => void
  /** The user clicked a chat or join-request notification: open that panel (the window is focused already). */
  readonly onNotificationClick?: (click: NotificationClick) => void
}

/**
 * The meeting UI's one-line hookup to the desktop shell (issue 10). Mount it in the meeting view; it reports the
 * meeting state and the unread count to main, forwards power actions and notification clicks, and returns
 * `notify` for chat messages and join requests (main shows them only while the window is out of sight). In web
 * mode the calls are answered with no-ops.
 */
export function useDesktopMeeting(options: DesktopMeetingOptions): {
  readonly notify: (notification: DesktopNotification) => void
} {
  const { inMeeting, unreadCount } = options
  const latest = useRef(options)
  useEffect(() => {
    latest.current = options
  })

  useEffect(() => {
    if (!inMeeting) return
    void api.desktop.setMeetingState({ inMeeting: true }).catch(() => undefined)
    return () => void api.desktop.setMeetingState({ inMeeting: false }).catch(() => undefined)
  }, [inMeeting])

  useEffect(() => {
    void api.desktop.setUnreadCount({ count: Math.max(0, Math.floor(unreadCount)) }).catch(() => undefined)
  }, [unreadCount])
  // Leaving the meeting view clears the badge.
  useEffect(() => () => void api.desktop.setUnreadCount({ count: 0 }).catch(() => undefined), [])

  useEffect(() => {
    const offPower = api.desktop.onPowerAction((action) => latest.current.onPowerAction(action))
    const offClick = api.desktop.onNotificationClicked((click) => latest.current.onNotificationClick?.(click))
    return () => {
      offPower()
      offClick()
    }
  }, [])

  const notify = useCallback((notification: DesktopNotification) => {
    void api.desktop.notify(notification).catch(() => undefined)
  }, [])
  return { notify }
}
