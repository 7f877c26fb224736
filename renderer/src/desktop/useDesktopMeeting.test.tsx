import { act, cleanup, render } from '@testing-library/react'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { NotificationClick, PowerAction } from '../../../shared/desktop/schemas'

const calls: Array<[string, unknown]> = []
const listeners = vi.hoisted(() => ({
  power: null as null | ((a: PowerAction) => void),
  click: null as null | ((c: NotificationClick) => void),
}))
vi.mock('../platform/api', () => {
  const record = (name: string) => async (request: unknown) => {
    calls.push([name, request])
    return {}
  }
  return {
    api: {
      desktop: {
        setMeetingState: record('setMeetingState'),
        setUnreadCount: record('setUnreadCount'),
        notify: record('notify'),
        onPowerAction: (l: (a: PowerAction) => void) => {
          listeners.power = l
          return () => (listeners.power = null)
        },
        onNotificationClicked: (l: (c: NotificationClick) => void) => {
          listeners.click = l
          return () => (listeners.click = null)
        },
      },
    },
  }
})

const { useDesktopMeeting } = await import('./useDesktopMeeting')

afterEach(() => {
  cleanup()
  calls.length = 0
})

function Meeting(props: {
  inMeeting: boolean
  unread: number
  onPower: (a: PowerAction) => void
  expose?: (notify: ReturnType<typeof useDesktopMeeting>['notify']) => void
}) {
  const { notify } = useDesktopMeeting({
    inMeeting: props.inMeeting,
    unreadCount: props.unread,
    onPowerAction: props.onPower,
  })
  props.expose?.(notify)
  return null
}

describe('useDesktopMeeting', () => {
  it('reports the meeting and unread count, and ends both when the view goes away', () => {
    const { rerender, unmount } = render(<Meeting inMeeting={false} unread={0} onPower={() => undefined} />)
    rerender(<Meeting inMeeting unread={2} onPower={() => undefined} />)
    unmount()
    expect(calls).toEqual([
      ['setUnreadCount', { count: 0 }],
      ['setMeetingState', { inMeeting: true }],
      ['setUnreadCount', { count: 2 }],
      ['setMeetingState', { inMeeting: false }],
      ['setUnreadCount', { count: 0 }],
    ])
  })

  it('hands power actions to the meeting and sends notifications to main', () => {
    const seen: PowerAction[] = []
    let notify: ((n: { kind: 'joinRequest'; name: string }) => void) | undefined
    render(<Meeting inMeeting unread={0} onPower={(a) => seen.push(a)} expose={(n) => (notify = n)} />)
    act(() => listeners.power?.({ action: 'leave', reason: 'suspend' }))
    expect(seen).toEqual([{ action: 'leave', reason: 'suspend' }])
    notify?.({ kind: 'joinRequest', name: 'Grace' })
    expect(calls.at(-1)).toEqual(['notify', { kind: 'joinRequest', name: 'Grace' }])
  })
})
