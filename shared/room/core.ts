import { missingCaseError } from '../errors/AppError'
import type { ClientMessage, ClientMessageOf, ParticipantId, Role } from './protocol'
import { applyHostAction } from './hostActions'
import { admit, closeAndDetach, detach } from './membership'
import {
  isHostRole,
  takeToken,
  viewFor,
  type ConnId,
  type ConnectionRecord,
  type LiveConnection,
  type RoomEvent,
  type RoomState,
  type Step,
} from './state'
import { Tx } from './tx'

/**
 * The room core: a pure function of (state, event) to (state, effects). The local hub and the Durable Object feed
 * it socket events and carry out its effects; neither holds room rules of its own. No clock, no randomness, no I/O:
 * the event brings `now` and any random ids.
 */
export function reduce(state: RoomState, event: RoomEvent): Step {
  const tx = new Tx(state)
  switch (event.type) {
    case 'open':
      if (!(event.conn in state.connections)) {
        const { rateBurst, abuseBurst } = state.config
        tx.setConnection({
          id: event.conn,
          participant: null,
          openedAt: event.now,
          lastSeen: event.now,
          rate: { tokens: rateBurst, at: event.now },
          abuse: { tokens: abuseBurst, at: event.now },
        })
      }
      break
    case 'join':
      onJoin(tx, event)
      break
    case 'message':
      onMessage(tx, event.conn, event.now, event.message)
      break
    case 'rejected': {
      if (!(event.conn in tx.s.connections)) break
      tx.error(event.conn, event.code, event.message, event.id)
      if (event.close) closeAndDetach(tx, event.conn, event.close, event.now, 'remove', 'disconnected')
      else strike(tx, event.conn, event.now)
      break
    }
    case 'closed':
      detach(tx, event.conn, event.now, 'grace')
      break
    case 'tick':
      onTick(tx, event.now, event.seen)
      break
    case 'restore':
      onRestore(tx, event.now, event.live)
      break
    default:
      throw missingCaseError(event)
  }
  return tx.finish(state)
}

/** Count a message against the connection's rate limit; false means drop it (an error was sent). */
function gate(tx: Tx, conn: ConnId, now: number, id: string | undefined): ConnectionRecord | null {
  const record = tx.s.connections[conn]
  if (!record) return null
  const { ratePerSecond, rateBurst } = tx.s.config
  const taken = takeToken(record.rate, now, ratePerSecond, rateBurst)
  tx.setConnection({ ...record, lastSeen: Math.max(record.lastSeen, now), rate: taken.bucket })
  if (taken.ok) return tx.s.connections[conn]!
  tx.error(conn, 'rate_limited', 'Too many messages; slow down.', id)
  strike(tx, conn, now)
  return null
}

/** One strike against a connection; too many in a short time and it is closed as abusive. */
function strike(tx: Tx, conn: ConnId, now: number): void {
  const record = tx.s.connections[conn]
  if (!record) return
  const { abuseRefillPerSecond, abuseBurst } = tx.s.config
  const taken = takeToken(record.abuse, now, abuseRefillPerSecond, abuseBurst)
  tx.setConnection({ ...record, abuse: taken.bucket })
  if (!taken.ok) closeAndDetach(tx, conn, 'abuse', now, 'remove', 'disconnected')
}

function onJoin(tx: Tx, event: Extract<RoomEvent, { type: 'join' }>): void {
  const { conn, now, message, grant, fresh } = event
  const record = gate(tx, conn, now, message.id)
  if (!record) return
  if (record.participant !== null) {
    tx.error(conn, 'already_joined', 'This connection has already joined.', message.id)
    return
  }
  if (message.resume && resume(tx, conn, now, message.resume.participant, message.resume.secret)) return

  const s = tx.s
  const name = grant?.name ?? message.name
  const ai = grant?.ai ?? message.ai ?? false
  const role: Role = grant?.role === 'host' || s.creator === null ? 'host' : (grant?.role ?? 'guest')
  if (Object.keys(s.participants).length >= s.config.maxParticipants) {
    tx.error(conn, 'room_full', 'This room is full.', message.id)
    closeAndDetach(tx, conn, 'room_full', now, 'remove')
    return
  }
  if (s.flags.locked && grant?.role !== 'host') {
    tx.error(conn, 'room_locked', 'The host has locked this room.', message.id)
    closeAndDetach(tx, conn, 'room_locked', now, 'remove')
    return
  }
  tx.setConnection({ ...record, participant: fresh.id })
  if (s.flags.waitingRoom && !isHostRole(role)) {
    if (Object.keys(s.waiting).length >= 100) {
      tx.error(conn, 'room_full', 'The waiting room is full.', message.id)
      closeAndDetach(tx, conn, 'room_full', now, 'remove')
      return
    }
    const waiting = {
      ...s.waiting,
      [fresh.id]: { info: { id: fresh.id, name, ai, since: now }, secret: fresh.secret, conn, role },
    }
    tx.set({ waiting })
    tx.noteIfEmpty(now)
    tx.change({ kind: 'waiting', waiting: Object.values(waiting).map((w) => w.info) })
    tx.send(conn, { type: 'waiting', you: fresh.id, secret: fresh.secret })
    return
  }
  admit(tx, { id: fresh.id, name, ai, role, secret: fresh.secret, conn, now })
}

/** Take over an existing place with its resume secret. False when there is nothing to resume (join anew). */
function resume(tx: Tx, conn: ConnId, now: number, pid: ParticipantId, secret: string): boolean {
  const p = tx.s.participants[pid]
  const w = tx.s.waiting[pid]
  if (p && p.secret === secret) {
    if (p.conn !== null && p.conn !== conn) {
      // The old socket is a ghost (a half-open connection the client gave up on): close it, keep the participant.
      tx.closeConn(p.conn, 'replaced')
      tx.dropConnection(p.conn)
    }
    tx.setConnection({ ...tx.s.connections[conn]!, participant: pid })
    const wasConnected = p.info.connected
    tx.setParticipant({
      ...p,
      conn,
      graceUntil: null,
      info: wasConnected ? p.info : { ...p.info, connected: true },
    })
    if (!wasConnected) tx.change({ kind: 'updated', participant: tx.s.participants[pid]!.info }, conn)
    tx.send(conn, { type: 'welcome', you: pid, secret, resumed: true, view: viewFor(tx.s, pid) })
    return true
  }
  if (w && w.secret === secret) {
    if (w.conn !== conn) {
      tx.closeConn(w.conn, 'replaced')
      tx.dropConnection(w.conn)
    }
    tx.setConnection({ ...tx.s.connections[conn]!, participant: pid })
    tx.set({ waiting: { ...tx.s.waiting, [pid]: { ...w, conn } } })
    tx.markMeta()
    tx.send(conn, { type: 'waiting', you: pid, secret })
    return true
  }
  return false
}

type NonJoin = Exclude<ClientMessage, ClientMessageOf<'join'>>

function onMessage(tx: Tx, conn: ConnId, now: number, message: NonJoin): void {
  if (message.type === 'ping') {
    const record = tx.s.connections[conn]
    if (record) tx.setConnection({ ...record, lastSeen: Math.max(record.lastSeen, now) })
    return
  }
  const record = gate(tx, conn, now, message.id)
  if (!record) return
  const pid = record.participant
  const me = pid === null ? undefined : tx.s.participants[pid]
  if (message.type === 'leave') {
    closeAndDetach(tx, conn, 'left', now, 'remove', 'left')
    return
  }
  if (!me || me.conn !== conn) {
    tx.error(conn, 'not_joined', 'Join the room (and be admitted) first.', message.id)
    return
  }
  switch (message.type) {
    case 'resync':
      tx.send(conn, { type: 'snapshot', view: viewFor(tx.s, me.info.id) })
      return
    case 'tracks':
      tx.setParticipant({ ...me, info: { ...me.info, tracks: message.directory } })
      tx.change({ kind: 'updated', participant: tx.s.participants[me.info.id]!.info })
      tx.send(conn, { type: 'ack', id: message.id })
      return
    case 'hand': {
      const raised = me.info.handRaisedAt !== null
      if (raised !== message.raised) {
        tx.setParticipant({ ...me, info: { ...me.info, handRaisedAt: message.raised ? now : null } })
        tx.change({ kind: 'updated', participant: tx.s.participants[me.info.id]!.info })
      }
      tx.send(conn, { type: 'ack', id: message.id })
      return
    }
    case 'activity': {
      const next = { ...me.info.activity, ...definedOnly(message.activity) }
      const startsRecording = me.info.activity.recording === 'off' && next.recording !== 'off'
      if (startsRecording && !isHostRole(me.info.role) && !tx.s.flags.allowRecording) {
        tx.error(
          conn,
          'forbidden',
          'The host does not allow participants to record this meeting.',
          message.id,
        )
        return
      }
      const was = me.info.activity
      if (
        was.recording !== next.recording ||
        was.captions !== next.captions ||
        was.assistant !== next.assistant
      ) {
        tx.setParticipant({ ...me, info: { ...me.info, activity: next } })
        tx.change({ kind: 'updated', participant: tx.s.participants[me.info.id]!.info })
      }
      tx.send(conn, { type: 'ack', id: message.id })
      return
    }
    case 'reaction':
      tx.broadcast(
        Object.values(tx.s.participants).flatMap((p) => (p.conn === null ? [] : [p.conn])),
        { type: 'reaction', from: me.info.id, emoji: message.emoji, at: now },
      )
      tx.send(conn, { type: 'ack', id: message.id })
      return
    case 'chat':
      onChat(tx, conn, now, me.info.id, me.info.name, message)
      return
    case 'host':
      applyHostAction(tx, conn, now, me.info.id, message.id, message.action)
      return
    default:
      throw missingCaseError(message)
  }
}

function onChat(
  tx: Tx,
  conn: ConnId,
  now: number,
  from: ParticipantId,
  name: string,
  message: ClientMessageOf<'chat'>,
): void {
  // Dedupe by the client's id across everything the room still holds: a resend after a lost ack gets the same seq.
  const earlier = tx.s.chat.find((m) => m.id === message.id) ?? tx.s.dms.find((m) => m.id === message.id)
  if (earlier) {
    tx.send(conn, { type: 'ack', id: message.id, seq: earlier.seq, duplicate: true })
    return
  }
  const { historySize } = tx.s.config
  const trim = <T>(list: readonly T[], item: T): readonly T[] =>
    list.length + 1 > historySize ? [...list.slice(list.length + 1 - historySize), item] : [...list, item]
  if (message.to !== undefined) {
    const target = tx.s.participants[message.to]
    if (!target) {
      tx.error(conn, 'not_found', 'That participant is no longer in the room.', message.id)
      return
    }
    const dm = {
      seq: tx.s.dmSeq + 1,
      id: message.id,
      from,
      name,
      text: message.text,
      at: now,
      to: message.to,
    }
    tx.set({ dmSeq: dm.seq, dms: trim(tx.s.dms, dm) })
    tx.stored(undefined, dm)
    tx.send(conn, { type: 'dm', message: dm })
    if (target.conn !== null && target.conn !== conn) tx.send(target.conn, { type: 'dm', message: dm })
    tx.send(conn, { type: 'ack', id: message.id, seq: dm.seq })
    return
  }
  const chat = { seq: tx.s.chatSeq + 1, id: message.id, from, name, text: message.text, at: now }
  tx.set({ chatSeq: chat.seq, chat: trim(tx.s.chat, chat) })
  tx.stored(chat, undefined)
  tx.change({ kind: 'chat', message: chat })
  tx.send(conn, { type: 'ack', id: message.id, seq: chat.seq })
}

function onTick(tx: Tx, now: number, seen: Readonly<Record<ConnId, number>> | undefined): void {
  if (tx.s.alarmAt !== null) tx.set({ alarmAt: null })
  if (seen) {
    for (const [conn, at] of Object.entries(seen)) {
      const record = tx.s.connections[conn]
      if (record && at > record.lastSeen) tx.setConnection({ ...record, lastSeen: at })
    }
  }
  const { heartbeatTimeoutMs, joinTimeoutMs, retentionMs } = tx.s.config
  for (const c of Object.values(tx.s.connections)) {
    if (c.participant === null) {
      if (c.openedAt + joinTimeoutMs <= now) closeAndDetach(tx, c.id, 'timeout', now, 'remove')
    } else if (c.lastSeen + heartbeatTimeoutMs <= now) {
      closeAndDetach(tx, c.id, 'timeout', now, 'remove', 'timeout')
    }
  }
  for (const p of Object.values(tx.s.participants)) {
    if (p.conn === null && p.graceUntil !== null && p.graceUntil <= now) {
      tx.removeParticipant(p.info.id, 'disconnected', now)
    }
  }
  const s = tx.s
  if (
    s.emptySince !== null &&
    s.emptySince + retentionMs <= now &&
    Object.keys(s.participants).length === 0 &&
    Object.keys(s.waiting).length === 0
  ) {
    tx.wipe()
  }
}

function onRestore(tx: Tx, now: number, live: readonly LiveConnection[]): void {
  if (tx.s.alarmAt !== null) tx.set({ alarmAt: null })
  const { rateBurst, abuseBurst, graceMs } = tx.s.config
  const liveConns = new Set(live.map((l) => l.conn))
  for (const l of live) {
    const owner = Object.values(tx.s.participants).find((p) => p.conn === l.conn)?.info.id
    const waiting = Object.values(tx.s.waiting).find((w) => w.conn === l.conn)?.info.id
    tx.setConnection({
      id: l.conn,
      participant: owner ?? waiting ?? null,
      openedAt: Math.min(now, l.openedAt ?? now),
      lastSeen: Math.min(now, l.lastSeen ?? now),
      rate: { tokens: rateBurst, at: now },
      abuse: { tokens: abuseBurst, at: now },
    })
  }
  for (const p of Object.values(tx.s.participants)) {
    if (p.conn !== null && liveConns.has(p.conn)) continue
    if (p.conn === null && !p.info.connected) continue
    tx.setParticipant({ ...p, conn: null, graceUntil: now + graceMs, info: { ...p.info, connected: false } })
    tx.change({ kind: 'updated', participant: tx.s.participants[p.info.id]!.info })
  }
  for (const w of Object.values(tx.s.waiting)) {
    if (!liveConns.has(w.conn)) tx.removeWaiting(w.info.id, now)
  }
}

/** The fields of a partial update that are set (zod's `.partial()` output may carry explicit `undefined`). */
function definedOnly<T extends object>(patch: Partial<T>): Partial<T> {
  return Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) as Partial<T>
}
