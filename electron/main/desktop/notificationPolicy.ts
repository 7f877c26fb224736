import type { DesktopNotification, NotificationClick } from '../../../shared/desktop/schemas'
import { missingCaseError } from '../../../shared/errors/AppError'
import type { NotificationContent, WindowView } from './types'

export interface PlannedNotification extends NotificationContent {
  /** What the renderer opens when the user clicks it. */
  readonly click: NotificationClick
}

const MAX_BODY = 180

/**
 * Text from other participants, made safe for a notification: no control or bidi-override characters, one line,
 * bounded. Linux notification servers render a little HTML in the body, so markup characters are escaped there.
 */
export function notificationText(text: string, platform: NodeJS.Platform, max = MAX_BODY): string {
  const flat = text
    .replace(/[\p{Cc}\p{Cf}]/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim()
  const short = flat.length > max ? `${flat.slice(0, max - 1).trimEnd()}…` : flat
  return platform === 'linux'
    ? short.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
    : short
}

/**
 * Whether and what to show for something that happened in the meeting. Only while the user cannot see the window
 * (hidden, minimised or another app focused): when Convene is in front, the meeting UI shows it already.
 */
export function planNotification(
  input: DesktopNotification,
  view: WindowView | null,
  platform: NodeJS.Platform,
): PlannedNotification | null {
  if (view && view.visible && view.focused && !view.minimized) return null
  switch (input.kind) {
    case 'chat': {
      const body = notificationText(input.text, platform)
      return {
        title: notificationText(input.from, platform, 64),
        body: body === '' ? 'Sent a message' : body,
        // Chat can be busy; the sound is for things that need an answer.
        silent: true,
        click: { kind: 'chat' },
      }
    }
    case 'joinRequest':
      return {
        title: 'Someone is waiting to join',
        body: `${notificationText(input.name, platform, 64)} asked to join the meeting. Open Convene to let them in.`,
        silent: false,
        click: { kind: 'joinRequest' },
      }
    default:
      throw missingCaseError(input)
  }
}
