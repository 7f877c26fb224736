import type { ChatMessage } from '../../../shared/room/protocol'
import type { ChatLineState } from './MeetingController'

/**
 * Fold the chat of a whole room view (sent after every reconnect) into the lines on screen: add what the screen
 * lacks, by id so nothing shows twice, and mark our own lines the room holds as delivered. Lines the view lacks
 * stay: a room restarted without storage forgets its history, but what was shown was said. Returns the same
 * array when nothing changed, and how many added lines are someone else's (for the unread count).
 */
export function mergeChat(
  lines: readonly ChatLineState[],
  stored: readonly ChatMessage[],
  me: string | null,
): { chat: readonly ChatLineState[]; unseen: number } {
  const known = new Set(lines.map((l) => l.id))
  const held = new Set(stored.map((m) => m.id))
  const added: ChatLineState[] = stored
    .filter((m) => !known.has(m.id))
    .map((m) => ({ id: m.id, name: m.name, text: m.text, at: m.at, mine: m.from === me, acked: true }))
  const delivered = lines.some((l) => !l.acked && held.has(l.id))
  if (added.length === 0 && !delivered) return { chat: lines, unseen: 0 }
  return {
    chat: [...lines.map((l) => (!l.acked && held.has(l.id) ? { ...l, acked: true } : l)), ...added],
    unseen: added.filter((l) => !l.mine).length,
  }
}
