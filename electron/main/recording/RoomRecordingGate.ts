import { AppError } from '../../../shared/errors/AppError'
import type { Logger } from '../../../shared/log/logger'
import type { RoomRecordingState } from '../../../shared/recording/schemas'
import { roomActivity } from '../../../shared/room/activity'
import type { RoomStatusEvent } from '../../../shared/room/ipc'
import type {
  HostAction,
  Participant,
  ParticipantActivity,
  RoomView,
  ServerMessageOf,
} from '../../../shared/room/protocol'
import { isHostRole } from '../../../shared/room/state'
import {
  LocalRecordingGate,
  type RecordingFlag,
  type RecordingGate,
  type RecordingRevoke,
  type RecordPermission,
} from './RecordingGate'

type Recording = ParticipantActivity['recording']

/** The slice of main's room service the gate reads and acts through (a fake in tests). */
export interface RecordingRoomPort {
  state(): { readonly status: RoomStatusEvent; readonly view: RoomView | null }
  setActivity(activity: Partial<ParticipantActivity>): Promise<void>
  hostAction(action: HostAction): Promise<void>
  /** Called after the room's status or view changed. Returns a disposer. */
  onChange(listener: () => void): () => void
  /** Called with every host order addressed to this participant. Returns a disposer. */
  onOrder(listener: (order: ServerMessageOf<'order'>['order']) => void): () => void
}

const FORBIDDEN_BY_HOST = 'The host does not allow participants to record this meeting.'

/**
 * Recording consent backed by the joined room: who may record follows this participant's role and the room's
 * `flags.allowRecording`; the flag every participant sees is this participant's `activity.recording` (on,
 * paused, off); the host's switch is the `allowRecording` host action. A host's `stopRecording` order and
 * leaving the room (left, removed, ended) revoke the recording. Outside any room it defers to `fallback`.
 *
 * What this participant wants announced (`desired`) is kept apart from what the room shows, so a reconnect
 * that lost an update re-sends it, and a stale "recording" left from an earlier run is cleared.
 */
export class RoomRecordingGate implements RecordingGate {
  /** `revoked`: the room told us to stop; the flag stays up until the recording has really ended. */
  private desired: { room: string; recording: Exclude<Recording, 'off'>; revoked: boolean } | null = null
  /** Rooms whose flag was raised on the fallback (recording started outside a room). */
  private readonly localFlags = new Set<string>()
  private readonly listeners = new Set<(state: RoomRecordingState) => void>()
  private readonly revokeListeners = new Set<(revoke: RecordingRevoke) => void>()
  private lastEmitted = ''
  private joinedRoom: string | null = null
  private inFlight = 0
  private readonly disposers: Array<() => void>

  constructor(
    private readonly port: RecordingRoomPort,
    private readonly log: Logger,
    private readonly fallback: LocalRecordingGate = new LocalRecordingGate(),
  ) {
    this.disposers = [
      port.onChange(() => this.onRoomChange()),
      port.onOrder((order) => {
        if (order !== 'stopRecording' || !this.desired || this.desired.revoked) return
        this.desired.revoked = true
        this.revoke({
          room: this.desired.room,
          reason: 'forbidden',
          message: 'A host no longer lets participants record, so your recording was stopped. It is saved.',
        })
      }),
      fallback.subscribe((state) => {
        if (!this.room()) this.emit(state)
      }),
    ]
    this.joinedRoom = this.room()?.status.room ?? null
  }

  canRecord(room: string): RecordPermission {
    const joined = this.room()
    if (!joined) return this.fallback.canRecord(room)
    if (joined.status.room !== room) {
      return {
        allowed: false,
        reason: `You are in meeting ${joined.status.room ?? ''}; only that meeting can be recorded now.`,
      }
    }
    const { view, me } = joined
    if (!view || !me) return { allowed: false, reason: 'Wait until you are in the meeting to record it.' }
    if (this.myRecording(me) !== 'off')
      return { allowed: false, reason: 'You are already recording this meeting.' }
    if (!isHostRole(me.role) && !view.flags.allowRecording)
      return { allowed: false, reason: FORBIDDEN_BY_HOST }
    return { allowed: true }
  }

  async setRecordingFlag(room: string, flag: RecordingFlag | null): Promise<void> {
    const joined = this.room()
    if (flag === null) {
      if (this.localFlags.delete(room)) await this.fallback.setRecordingFlag(room, null)
      if (this.desired?.room === room) {
        this.desired = null
        this.emitCurrent()
      }
      if (joined?.status.room === room && joined.me && joined.me.activity.recording !== 'off')
        await this.send('off')
      return
    }
    if (!joined) {
      this.localFlags.add(room)
      return this.fallback.setRecordingFlag(room, flag)
    }
    if (joined.status.room !== room) throw AppError.forbidden(this.canRecordReason(room))
    const recording = flag.paused ? 'paused' : 'on'
    const starting = this.desired === null
    this.desired = { room, recording, revoked: this.desired?.revoked ?? false }
    this.emitCurrent()
    try {
      await this.send(recording)
    } catch (error) {
      // A start the room refused (the host forbids it, or we are not connected) must not look like it runs.
      if (starting) {
        this.desired = null
        this.emitCurrent()
      }
      throw error
    }
  }

  setAllowOthers(room: string, allow: boolean): Promise<void> {
    const joined = this.room()
    if (!joined) return this.fallback.setAllowOthers(room, allow)
    if (joined.status.room !== room) return Promise.reject(AppError.forbidden(this.canRecordReason(room)))
    // The room enforces roles and answers a guest with `forbidden` and its own reason.
    return this.port.hostAction({ kind: 'allowRecording', allow })
  }

  state(room: string): RoomRecordingState {
    const joined = this.room()
    if (!joined) return this.fallback.state(room)
    const permission = this.canRecord(room)
    const base = {
      room,
      canRecord: permission.allowed,
      ...(permission.allowed ? {} : { reason: permission.reason.slice(0, 300) }),
    }
    const { view, me } = joined
    if (!view || joined.status.room !== room) {
      return {
        ...base,
        active: false,
        paused: false,
        byName: '',
        byMe: false,
        allowOthers: true,
        isHost: false,
      }
    }
    const mine = me ? this.myRecording(me) : 'off'
    // The view with this participant's wish applied: what everyone will see once the room has it.
    const participants = view.participants.map((p) =>
      p.id === me?.id ? { ...p, activity: { ...p.activity, recording: mine } } : p,
    )
    const activity = roomActivity({ flags: view.flags, participants })
    return {
      ...base,
      active: activity.recording,
      paused: activity.recordingPaused,
      byName: activity.recorders.join(', ').slice(0, 100),
      byMe: mine !== 'off',
      allowOthers: view.flags.allowRecording,
      isHost: me !== undefined && isHostRole(me.role),
    }
  }

  subscribe(listener: (state: RoomRecordingState) => void): () => void {
    this.listeners.add(listener)
    return () => void this.listeners.delete(listener)
  }

  onRevoke(listener: (revoke: RecordingRevoke) => void): () => void {
    this.revokeListeners.add(listener)
    return () => void this.revokeListeners.delete(listener)
  }

  dispose(): void {
    for (const off of this.disposers.splice(0)) off()
  }

  /** The joined room, or null outside any (no client, or its connection is over). */
  private room(): { status: RoomStatusEvent; view: RoomView | null; me: Participant | undefined } | null {
    const { status, view } = this.port.state()
    if (status.state === 'idle' || status.state === 'closed' || status.room === null) return null
    return { status, view, me: view?.participants.find((p) => p.id === status.participantId) }
  }

  private myRecording(me: Participant): Recording {
    if (this.desired) return this.desired.recording
    return this.inFlight > 0 ? 'off' : me.activity.recording
  }

  private canRecordReason(room: string): string {
    const permission = this.canRecord(room)
    return permission.allowed ? 'Recording is not possible right now.' : permission.reason
  }

  private async send(recording: Recording): Promise<void> {
    this.inFlight++
    try {
      await this.port.setActivity({ recording })
    } finally {
      this.inFlight--
    }
  }

  private onRoomChange(): void {
    const joined = this.room()
    const now = joined?.status.room ?? null
    if (this.joinedRoom !== null && now !== this.joinedRoom) this.onLeftRoom(this.joinedRoom)
    this.joinedRoom = now
    if (joined?.status.state === 'joined' && joined.me && this.inFlight === 0) this.reconcile(joined.me)
    this.emitCurrent()
  }

  /** Make the room show what this participant wants (after a reconnect, or a stale flag from an earlier run). */
  private reconcile(me: Participant): void {
    const want: Recording = this.desired?.recording ?? 'off'
    if (me.activity.recording === want) return
    this.send(want).catch((error: unknown) => {
      const appError = AppError.from(error)
      this.log.warn('could not update the recording flag in the room', { code: appError.code })
      if (appError.code === 'forbidden' && this.desired && !this.desired.revoked) {
        this.desired.revoked = true
        this.revoke({ room: this.desired.room, reason: 'forbidden', message: FORBIDDEN_BY_HOST })
      }
    })
  }

  private onLeftRoom(room: string): void {
    if (this.desired?.room !== room) return
    this.desired = null
    this.revoke({
      room,
      reason: 'meeting_ended',
      message: 'You are no longer in the meeting, so the recording was stopped. It is saved.',
    })
  }

  private revoke(revoke: RecordingRevoke): void {
    this.log.info('recording revoked by the room', { reason: revoke.reason })
    for (const listener of this.revokeListeners) {
      try {
        listener(revoke)
      } catch {
        // One broken listener must not keep the others from stopping.
      }
    }
    this.emitCurrent()
  }

  private emitCurrent(): void {
    const room = this.room()?.status.room
    if (room) this.emit(this.state(room))
  }

  private emit(state: RoomRecordingState): void {
    const key = JSON.stringify(state)
    if (key === this.lastEmitted) return
    this.lastEmitted = key
    for (const listener of this.listeners) {
      try {
        listener(state)
      } catch {
        // A broken listener must not stop the others from hearing about the flag.
      }
    }
  }
}
