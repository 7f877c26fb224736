import type { BadgePlan } from './types'

/**
 * The unread-chat badge per OS: a dock or launcher count on macOS and Linux (`app.setBadgeCount`), a taskbar
 * overlay icon on Windows, where there is no count badge. Counts above 99 read "99+".
 */
export function planBadge(unread: number, platform: NodeJS.Platform): BadgePlan {
  const count = Number.isFinite(unread) ? Math.min(Math.max(Math.floor(unread), 0), 9999) : 0
  if (platform === 'win32') {
    return {
      count: 0,
      overlay: count === 0 ? null : `${count > 99 ? '99+' : count} unread message${count === 1 ? '' : 's'}`,
    }
  }
  return { count, overlay: null }
}
