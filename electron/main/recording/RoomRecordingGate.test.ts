import { describe, expect, it } from 'vitest'
import { AppError } from '../../../shared/errors/AppError'
import { createLogger } from '../../../shared/log/logger'
import { Redactor } from '../../../shared/log/redact'
import type { RoomRecordingState } from '../../../shared/recording/schemas'
import { reduce } from '../../../shared/room/core'
import type { RoomStatusEvent } from '../../../shared/room/ipc'
import type {
  ClientMessage,
  HostAction,
  ParticipantActivity,
  ServerMessage,
} from '../../../shared/room/protocol'
import { initialRoomState, viewFor, type RoomEvent, type RoomState } from '../../../shared/room/state'
import type { RecordingRevoke } from './RecordingGate'
import { RoomRecordingGate, type RecordingRoomPort } from './RoomRecordingGate'

const ROOM = 'abc-defg-hij'
const log = createLogger('test', [], new Redactor())

/**
 * A room run by the real room core (`reduce`), with one port per participant as main's room service would
 * give it: requests become client messages, acks and errors settle them, orders and changes reach listeners.
 * The rules under test (roles, `allowRecording`, the `stopRecording` order) are the core's own.
 */
class CoreRoom {
  state: RoomState = initialRoomState(ROOM)
  private now = 1_000
  private seq = 0
  private readonly members = new Map<string, Member>()

  join(name: string): Member {
    const conn = `conn-${name}`
    this.apply({ type: 'open', conn, now: this.now })
    const member = new Member(this, conn, `p-${name.toLowerCase()}`)
    this.members.set(conn, member)
    this.apply({
      type: 'join',
      conn,
      now: this.now,
      message: { v: 1, type: 'join', id: `join-${name}`, token: '', name },
      grant: null,
      fresh: { id: member.pid, secret: `secret-${name}` },
    })
    member.status = { ...member.status, state: 'joined', room: ROOM, participantId: member.pid }
    member.changed()
    return member
  }

  send(conn: string, body: Exclude<ClientMessage, { type: 'join' }>): void {
    this.apply({ type: 'message', conn, now: (this.now += 10), message: body })
  }

  nextId(): string {
    return `m-${++this.seq}`
  }

  private apply(event: RoomEvent): void {
    const step = reduce(this.state, event)
    const changed = step.state.version !== this.state.version
    this.state = step.state
    for (const effect of step.effects) {
      if (effect.kind === 'send') this.members.get(effect.conn)?.receive(effect.message)
      if (effect.kind === 'broadcast')
        for (const conn of effect.to) this.members.get(conn)?.receive(effect.message)
    }
    if (changed) for (const member of this.members.values()) member.changed()
  }
}

class Member implements RecordingRoomPort {
  status: RoomStatusEvent = { room: null, state: 'idle', attempt: 0, reason: null, participantId: null }
  private readonly pending = new Map<string, { resolve: () => void; reject: (e: AppError) => void }>()
  private readonly changeListeners = new Set<() => void>()
  private readonly orderListeners = new Set<(order: 'mute' | 'stopVideo' | 'stopRecording') => void>()

  constructor(
    private readonly room: CoreRoom,
    readonly conn: string,
    readonly pid: string,
  ) {}

  state() {
    const connected = this.status.state !== 'idle' && this.status.state !== 'closed'
    return { status: this.status, view: connected ? viewFor(this.room.state, this.pid) : null }
  }

  setActivity(activity: Partial<ParticipantActivity>): Promise<void> {
    return this.request((id) => ({ v: 1, type: 'activity', id, activity }))
  }

  hostAction(action: HostAction): Promise<void> {
    return this.request((id) => ({ v: 1, type: 'host', id, action }))
  }

  onChange(listener: () => void): () => void {
    this.changeListeners.add(listener)
    return () => void this.changeListeners.delete(listener)
  }

  onOrder(listener: (order: 'mute' | 'stopVideo' | 'stopRecording') => void): () => void {
    this.orderListeners.add(listener)
    return () => void this.orderListeners.delete(listener)
  }

  /** Main's room service after `leave()`, or when the host ended the meeting. */
  close(reason: string): void {
    this.status = { ...this.status, state: 'closed', reason }
    this.changed()
  }

  receive(message: ServerMessage): void {
    if (message.type === 'ack') this.settle(message.id)?.resolve()
    if (message.type === 'error' && message.id) {
      const code = message.code === 'forbidden' ? 'forbidden' : 'invalid_request'
      this.settle(message.id)?.reject(new AppError({ code, message: message.message, retryable: false }))
    }
    if (message.type === 'order') for (const listener of this.orderListeners) listener(message.order)
  }

  changed(): void {
    for (const listener of this.changeListeners) listener()
  }

  me() {
    return viewFor(this.room.state, this.pid).participants.find((p) => p.id === this.pid)!
  }

  private settle(id: string) {
    const request = this.pending.get(id)
    this.pending.delete(id)
    return request
  }

  private request(build: (id: string) => Exclude<ClientMessage, { type: 'join' }>): Promise<void> {
    if (this.status.state !== 'joined') return Promise.reject(AppError.closed('The room connection'))
    const id = this.room.nextId()
    const settled = new Promise<void>((resolve, reject) => this.pending.set(id, { resolve, reject }))
    this.room.send(this.conn, build(id))
    return settled
  }
}

function gateFor(member: Member) {
  const gate = new RoomRecordingGate(member, log)
  const states: RoomRecordingState[] = []
  const revokes: RecordingRevoke[] = []
  gate.subscribe((s) => void states.push(s))
  gate.onRevoke((r) => void revokes.push(r))
  return { gate, states, revokes }
}

describe('RoomRecordingGate', () => {
  it('raises, pauses and clears this participant’s flag in the room; everyone’s gate sees it', async () => {
    const room = new CoreRoom()
    const ada = room.join('Ada')
    const bob = room.join('Bob')
    const host = gateFor(ada)
    const guest = gateFor(bob)

    expect(host.gate.canRecord(ROOM)).toEqual({ allowed: true })
    await host.gate.setRecordingFlag(ROOM, { byName: 'Ada', paused: false })
    expect(ada.me().activity.recording).toBe('on')
    expect(guest.gate.state(ROOM)).toMatchObject({
      active: true,
      paused: false,
      byName: 'Ada',
      byMe: false,
      isHost: false,
      allowOthers: true,
      canRecord: true,
    })
    expect(guest.states.at(-1)).toMatchObject({ active: true, byName: 'Ada', byMe: false })
    expect(host.gate.state(ROOM)).toMatchObject({ active: true, byMe: true, isHost: true, canRecord: false })
    expect(host.gate.canRecord(ROOM)).toEqual({
      allowed: false,
      reason: 'You are already recording this meeting.',
    })

    await host.gate.setRecordingFlag(ROOM, { byName: 'Ada', paused: true })
    expect(ada.me().activity.recording).toBe('paused')
    expect(guest.states.at(-1)).toMatchObject({ active: true, paused: true, byName: 'Ada' })

    await host.gate.setRecordingFlag(ROOM, null)
    expect(ada.me().activity.recording).toBe('off')
    expect(guest.states.at(-1)).toMatchObject({ active: false, byName: '' })
    expect(host.gate.state(ROOM)).toMatchObject({ active: false, byMe: false, canRecord: true })
  })

  it('lets only a host forbid others, with the room’s reason; a guest then cannot record', async () => {
    const room = new CoreRoom()
    const ada = room.join('Ada')
    const bob = room.join('Bob')
    const host = gateFor(ada)
    const guest = gateFor(bob)

    await expect(guest.gate.setAllowOthers(ROOM, false)).rejects.toMatchObject({
      code: 'forbidden',
      message: 'Only the host or a co-host can do that.',
    })
    await host.gate.setAllowOthers(ROOM, false)
    expect(room.state.flags.allowRecording).toBe(false)
    expect(guest.gate.canRecord(ROOM)).toEqual({
      allowed: false,
      reason: 'The host does not allow participants to record this meeting.',
    })
    expect(guest.states.at(-1)).toMatchObject({ allowOthers: false, canRecord: false, isHost: false })
    // The host still may.
    expect(host.gate.canRecord(ROOM)).toEqual({ allowed: true })

    // A start that slipped past the check (a stale view) is refused by the room and leaves no flag behind.
    const stale = new RoomRecordingGate(
      {
        state: () => ({
          status: bob.status,
          view: { ...viewFor(room.state, bob.pid), flags: { ...room.state.flags, allowRecording: true } },
        }),
        setActivity: (a) => bob.setActivity(a),
        hostAction: (a) => bob.hostAction(a),
        onChange: (l) => bob.onChange(l),
        onOrder: (l) => bob.onOrder(l),
      },
      log,
    )
    await expect(stale.setRecordingFlag(ROOM, { byName: 'Bob', paused: false })).rejects.toMatchObject({
      code: 'forbidden',
    })
    expect(bob.me().activity.recording).toBe('off')
    expect(stale.state(ROOM).byMe).toBe(false)

    await host.gate.setAllowOthers(ROOM, true)
    expect(guest.gate.canRecord(ROOM)).toEqual({ allowed: true })
  })

  it('revokes a guest’s recording when the host forbids recording, and keeps the flag until it ends', async () => {
    const room = new CoreRoom()
    const ada = room.join('Ada')
    const bob = room.join('Bob')
    const host = gateFor(ada)
    const guest = gateFor(bob)
    await guest.gate.setRecordingFlag(ROOM, { byName: 'Bob', paused: false })
    expect(host.gate.state(ROOM)).toMatchObject({ active: true, byName: 'Bob' })

    await host.gate.setAllowOthers(ROOM, false)
    expect(guest.revokes).toEqual([
      {
        room: ROOM,
        reason: 'forbidden',
        message: expect.stringContaining('no longer lets participants record'),
      },
    ])
    expect(host.revokes).toEqual([])
    // Until the recorder has really stopped, everyone still sees it.
    expect(host.gate.state(ROOM)).toMatchObject({ active: true, byName: 'Bob' })
    await guest.gate.setRecordingFlag(ROOM, null)
    expect(bob.me().activity.recording).toBe('off')
    expect(host.states.at(-1)).toMatchObject({ active: false })
    // A second order changes nothing.
    await host.gate.setAllowOthers(ROOM, false)
    expect(guest.revokes).toHaveLength(1)
  })

  it('revokes the recording when this participant leaves or the meeting ends, then uses the local rule', async () => {
    const room = new CoreRoom()
    const ada = room.join('Ada')
    const host = gateFor(ada)
    await host.gate.setRecordingFlag(ROOM, { byName: 'Ada', paused: false })
    ada.close('ended')
    expect(host.revokes).toEqual([
      { room: ROOM, reason: 'meeting_ended', message: expect.stringContaining('no longer in the meeting') },
    ])
    // Outside any room: the local rule (alone, so the host of itself) and its own flag.
    expect(host.gate.canRecord(ROOM)).toEqual({ allowed: true })
    await host.gate.setRecordingFlag(ROOM, null)
    expect(host.gate.state(ROOM)).toMatchObject({ active: false, isHost: true, canRecord: true })
    await host.gate.setRecordingFlag(ROOM, { byName: 'Ada', paused: false })
    expect(host.states.at(-1)).toMatchObject({ active: true, byMe: true })
  })

  it('refuses to record another meeting than the one joined', async () => {
    const room = new CoreRoom()
    const ada = room.join('Ada')
    const { gate } = gateFor(ada)
    expect(gate.canRecord('other-room')).toEqual({
      allowed: false,
      reason: `You are in meeting ${ROOM}; only that meeting can be recorded now.`,
    })
    await expect(gate.setRecordingFlag('other-room', { byName: 'Ada', paused: false })).rejects.toMatchObject(
      {
        code: 'forbidden',
      },
    )
    expect(ada.me().activity.recording).toBe('off')
  })

  it('re-announces the recording after a reconnect that lost it, and clears a stale one', async () => {
    const room = new CoreRoom()
    const ada = room.join('Ada')
    const { gate } = gateFor(ada)
    await gate.setRecordingFlag(ROOM, { byName: 'Ada', paused: false })
    expect(ada.me().activity.recording).toBe('on')
    // The connection drops; the pause cannot reach the room.
    ada.status = { ...ada.status, state: 'reconnecting' }
    ada.changed()
    await expect(gate.setRecordingFlag(ROOM, { byName: 'Ada', paused: true })).rejects.toBeInstanceOf(
      AppError,
    )
    expect(ada.me().activity.recording).toBe('on')
    expect(gate.state(ROOM)).toMatchObject({ paused: true, byMe: true })
    ada.status = { ...ada.status, state: 'joined' }
    ada.changed()
    await Promise.resolve()
    expect(ada.me().activity.recording).toBe('paused')

    // A flag this app does not own (left over from a run that crashed) is cleared once joined.
    gate.dispose()
    const fresh = gateFor(ada)
    room.send(ada.conn, { v: 1, type: 'activity', id: room.nextId(), activity: { recording: 'off' } })
    room.send(ada.conn, { v: 1, type: 'activity', id: room.nextId(), activity: { recording: 'on' } })
    await Promise.resolve()
    expect(ada.me().activity.recording).toBe('off')
    expect(fresh.gate.state(ROOM).byMe).toBe(false)
  })
})
