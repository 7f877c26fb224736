import { NO_ACTIVITY, type CloseReason, type LeaveReason, type ParticipantId, type Role } from './protocol'
import { viewFor, type ConnId } from './state'
import type { Tx } from './tx'

/**
 * Forget a connection. What happens to its participant: `grace` keeps the place for a resume (the socket dropped),
 * `remove` gives it up at once (left, removed, abusive).
 */
export function detach(
  tx: Tx,
  conn: ConnId,
  now: number,
  fate: 'grace' | 'remove',
  reason?: LeaveReason,
): void {
  const record = tx.s.connections[conn]
  if (!record) return
  tx.dropConnection(conn)
  const pid = record.participant
  if (pid === null) return
  const p = tx.s.participants[pid]
  if (p && p.conn === conn) {
    if (fate === 'remove') {
      tx.removeParticipant(pid, reason ?? 'disconnected', now)
    } else {
      tx.setParticipant({
        ...p,
        conn: null,
        graceUntil: now + tx.s.config.graceMs,
        info: { ...p.info, connected: false },
      })
      tx.change({ kind: 'updated', participant: tx.s.participants[pid]!.info })
    }
    return
  }
  const w = tx.s.waiting[pid]
  if (w && w.conn === conn) tx.removeWaiting(pid, now)
}

export function closeAndDetach(
  tx: Tx,
  conn: ConnId,
  reason: CloseReason,
  now: number,
  fate: 'grace' | 'remove',
  leave?: LeaveReason,
): void {
  tx.closeConn(conn, reason)
  detach(tx, conn, now, fate, leave)
}

export function admit(
  tx: Tx,
  p: {
    id: ParticipantId
    name: string
    ai: boolean
    role: Role
    secret: string
    conn: ConnId
    now: number
  },
): void {
  tx.setParticipant({
    info: {
      id: p.id,
      name: p.name,
      role: p.role,
      ai: p.ai,
      handRaisedAt: null,
      joinedAt: p.now,
      connected: true,
      tracks: null,
      activity: NO_ACTIVITY,
    },
    secret: p.secret,
    conn: p.conn,
    graceUntil: null,
  })
  if (tx.s.creator === null) tx.set({ creator: p.id })
  tx.noteIfEmpty(p.now)
  tx.change({ kind: 'joined', participant: tx.s.participants[p.id]!.info }, p.conn)
  tx.send(p.conn, { type: 'welcome', you: p.id, secret: p.secret, resumed: false, view: viewFor(tx.s, p.id) })
}
