import { missingCaseError } from '../errors/AppError'
import type { HostAction, ParticipantId, TrackInfo } from './protocol'
import { admit, closeAndDetach } from './membership'
import { isHostRole, type ConnId } from './state'
import type { Tx } from './tx'

/**
 * Host controls. Roles are enforced here and only here: hosts and co-hosts may moderate; only a host may change
 * roles or end the meeting, and a co-host cannot act against a host.
 */
export function applyHostAction(
  tx: Tx,
  conn: ConnId,
  now: number,
  actorId: ParticipantId,
  id: string,
  action: HostAction,
): void {
  const actor = tx.s.participants[actorId]!
  const ack = () => tx.send(conn, { type: 'ack', id })
  const forbidden = (why: string) => tx.error(conn, 'forbidden', why, id)
  if (!isHostRole(actor.info.role)) {
    forbidden('Only the host or a co-host can do that.')
    return
  }
  const isHost = actor.info.role === 'host'
  const participant = (target: ParticipantId) => {
    const p = tx.s.participants[target]
    if (!p) tx.error(conn, 'not_found', 'That participant is no longer in the room.', id)
    return p
  }
  const muteTracks = (
    target: ParticipantId,
    which: (t: TrackInfo) => boolean,
    order: 'mute' | 'stopVideo',
  ) => {
    const p = participant(target)
    if (!p) return
    const tracks = p.info.tracks
    if (tracks && tracks.tracks.some((t) => which(t) && !t.muted)) {
      const muted = tracks.tracks.map((t) => (which(t) ? { ...t, muted: true } : t))
      tx.setParticipant({ ...p, info: { ...p.info, tracks: { ...tracks, tracks: muted } } })
      tx.change({ kind: 'updated', participant: tx.s.participants[target]!.info })
    }
    if (p.conn !== null) tx.send(p.conn, { type: 'order', order, by: actorId })
    ack()
  }
  const setFlags = (patch: Partial<typeof tx.s.flags>) => {
    const flags = { ...tx.s.flags, ...patch }
    if (
      flags.locked !== tx.s.flags.locked ||
      flags.waitingRoom !== tx.s.flags.waitingRoom ||
      flags.recording !== tx.s.flags.recording ||
      flags.allowRecording !== tx.s.flags.allowRecording
    ) {
      tx.set({ flags })
      tx.change({ kind: 'flags', flags })
    }
  }
  const admitWaiting = (target: ParticipantId) => {
    const w = tx.s.waiting[target]!
    const { [target]: _gone, ...rest } = tx.s.waiting
    tx.set({ waiting: rest })
    tx.change({ kind: 'waiting', waiting: Object.values(rest).map((e) => e.info) })
    admit(tx, {
      id: target,
      name: w.info.name,
      ai: w.info.ai,
      role: w.role,
      secret: w.secret,
      conn: w.conn,
      now,
    })
  }

  switch (action.kind) {
    case 'mute':
      muteTracks(action.target, (t) => t.kind === 'audio', 'mute')
      return
    case 'stopVideo':
      muteTracks(action.target, (t) => t.kind === 'video' && t.source === 'camera', 'stopVideo')
      return
    case 'remove': {
      const target = participant(action.target)
      if (!target) return
      if (action.target === actorId) return forbidden('To leave, use Leave rather than Remove.')
      if (target.info.role === 'host' && !isHost) return forbidden('A co-host cannot remove a host.')
      if (target.conn !== null) closeAndDetach(tx, target.conn, 'removed', now, 'remove', 'removed')
      else tx.removeParticipant(action.target, 'removed', now)
      ack()
      return
    }
    case 'lock':
      setFlags({ locked: action.locked })
      ack()
      return
    case 'waitingRoom':
      setFlags({ waitingRoom: action.enabled })
      if (!action.enabled) for (const w of Object.keys(tx.s.waiting)) admitWaiting(w)
      ack()
      return
    case 'admit':
    case 'deny': {
      if (!(action.target in tx.s.waiting)) {
        tx.error(conn, 'not_found', 'Nobody with that id is waiting.', id)
        return
      }
      if (action.kind === 'admit') admitWaiting(action.target)
      else closeAndDetach(tx, tx.s.waiting[action.target]!.conn, 'denied', now, 'remove')
      ack()
      return
    }
    case 'setRole': {
      if (!isHost) return forbidden('Only a host can change roles.')
      const target = participant(action.target)
      if (!target) return
      if (target.info.role !== action.role) {
        tx.setParticipant({ ...target, info: { ...target.info, role: action.role } })
        tx.change({ kind: 'updated', participant: tx.s.participants[action.target]!.info })
      }
      ack()
      return
    }
    case 'recording':
      setFlags({ recording: action.active })
      ack()
      return
    case 'allowRecording':
      setFlags({ allowRecording: action.allow })
      if (!action.allow) {
        for (const p of Object.values(tx.s.participants)) {
          if (p.conn !== null && !isHostRole(p.info.role) && p.info.activity.recording !== 'off')
            tx.send(p.conn, { type: 'order', order: 'stopRecording', by: actorId })
        }
      }
      ack()
      return
    case 'end': {
      if (!isHost) return forbidden('Only a host can end the meeting for everyone.')
      ack()
      for (const c of Object.keys(tx.s.connections)) {
        tx.closeConn(c, 'ended')
        tx.dropConnection(c)
      }
      tx.wipe()
      return
    }
    default:
      throw missingCaseError(action)
  }
}
