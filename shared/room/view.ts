import { missingCaseError } from '../errors/AppError'
import { ROOM_LIMITS, type DirectMessage, type Participant, type RoomChange, type RoomView } from './protocol'

/**
 * The client's copy of the room: apply one delta to a view. Pure, shared by main and the renderer. The caller has
 * already checked that `version` is exactly one above `view.version` (otherwise it resyncs).
 */
export function applyChange(view: RoomView, change: RoomChange, version: number): RoomView {
  const upsert = (list: readonly Participant[], p: Participant): Participant[] => {
    const i = list.findIndex((x) => x.id === p.id)
    return i < 0 ? [...list, p] : list.map((x, j) => (j === i ? p : x))
  }
  switch (change.kind) {
    case 'joined':
    case 'updated':
      return { ...view, version, participants: upsert(view.participants, change.participant) }
    case 'left':
      return {
        ...view,
        version,
        participants: view.participants.filter((p) => p.id !== change.id),
      }
    case 'chat':
      return {
        ...view,
        version,
        chat: [...view.chat, change.message].slice(-ROOM_LIMITS.historySize),
      }
    case 'flags':
      return { ...view, version, flags: change.flags }
    case 'waiting':
      return { ...view, version, waiting: change.waiting }
    default:
      throw missingCaseError(change)
  }
}

/** Add a direct message (they arrive outside the version stream); a repeat of a known seq is ignored. */
export function addDirectMessage(view: RoomView, message: DirectMessage): RoomView {
  if (view.dms.some((m) => m.seq === message.seq)) return view
  return { ...view, dms: [...view.dms, message].slice(-ROOM_LIMITS.historySize) }
}

/** What a client does with a frame's version: apply (exactly the next), ignore (old news), or resync (a gap). */
export function versionVerdict(
  known: number,
  incoming: number,
  isDelta: boolean,
): 'apply' | 'ignore' | 'resync' {
  if (isDelta) {
    if (incoming === known + 1) return 'apply'
    return incoming <= known ? 'ignore' : 'resync'
  }
  return incoming > known ? 'resync' : 'ignore'
}
