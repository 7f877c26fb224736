import { AppError } from '../../../shared/errors/AppError'
import type { RoomRecordingState, StopReason } from '../../../shared/recording/schemas'

/** The room-side recording flag this participant sets: who records, and whether it is paused. */
export interface RecordingFlag {
  readonly byName: string
  readonly paused: boolean
}

export type RecordPermission =
  { readonly allowed: true } | { readonly allowed: false; readonly reason: string }

/** The room tells this participant to stop recording: a host forbade it, or the meeting is over for us. */
export interface RecordingRevoke {
  readonly room: string
  readonly reason: Extract<StopReason, 'forbidden' | 'meeting_ended'>
  /** A sentence for the user. */
  readonly message: string
}

/**
 * Consent and policy for recording, as the room sees it. The recorder asks `canRecord` before it starts and
 * calls `setRecordingFlag` on every change, so every participant's indicator follows. `RoomRecordingGate`
 * implements it against the joined room (roles, `flags.allowRecording`, each participant's activity);
 * `LocalRecordingGate` is the rule for a participant outside any room.
 */
export interface RecordingGate {
  canRecord(room: string): RecordPermission
  /**
   * Announce this participant's recording (`null` clears it: the recording ended). Resolves once the room has
   * it; rejects with the room's error (`forbidden` when the host does not allow participants to record).
   */
  setRecordingFlag(room: string, flag: RecordingFlag | null): Promise<void>
  /** Host only: let other participants record, or forbid it. Rejects with `forbidden` for anyone else. */
  setAllowOthers(room: string, allow: boolean): Promise<void>
  state(room: string): RoomRecordingState
  /** Called with a room's new state whenever it changes (flag or policy). Returns a disposer. */
  subscribe(listener: (state: RoomRecordingState) => void): () => void
  /** Called when this participant must stop recording (see `RecordingRevoke`). Returns a disposer. */
  onRevoke(listener: (revoke: RecordingRevoke) => void): () => void
}

interface RoomPolicy {
  allowOthers: boolean
  flag: RecordingFlag | null
}

/**
 * In-memory gate for a participant who is alone with the room state (not joined to any room): it is the host
 * unless told otherwise, and the flag it sets is the room's flag. `RoomRecordingGate` falls back to it outside
 * a room.
 */
export class LocalRecordingGate implements RecordingGate {
  private readonly rooms = new Map<string, RoomPolicy>()
  private readonly listeners = new Set<(state: RoomRecordingState) => void>()

  constructor(private readonly isHost: (room: string) => boolean = () => true) {}

  canRecord(room: string): RecordPermission {
    const policy = this.policy(room)
    if (policy.flag) {
      return {
        allowed: false,
        reason: `${policy.flag.byName || 'Someone'} is already recording this meeting.`,
      }
    }
    if (!this.isHost(room) && !policy.allowOthers) {
      return { allowed: false, reason: 'The host does not allow participants to record this meeting.' }
    }
    return { allowed: true }
  }

  setRecordingFlag(room: string, flag: RecordingFlag | null): Promise<void> {
    this.policy(room).flag = flag
    this.notify(room)
    return Promise.resolve()
  }

  setAllowOthers(room: string, allow: boolean): Promise<void> {
    if (!this.isHost(room))
      return Promise.reject(AppError.forbidden('Only the host can change who may record.'))
    this.policy(room).allowOthers = allow
    this.notify(room)
    return Promise.resolve()
  }

  state(room: string): RoomRecordingState {
    const policy = this.policy(room)
    const permission = this.canRecord(room)
    return {
      room,
      active: policy.flag !== null,
      paused: policy.flag?.paused ?? false,
      byName: policy.flag?.byName ?? '',
      // Alone with the room state, any flag set here is this participant's own.
      byMe: policy.flag !== null,
      allowOthers: policy.allowOthers,
      isHost: this.isHost(room),
      canRecord: permission.allowed,
      ...(permission.allowed ? {} : { reason: permission.reason }),
    }
  }

  subscribe(listener: (state: RoomRecordingState) => void): () => void {
    this.listeners.add(listener)
    return () => void this.listeners.delete(listener)
  }

  /** Nobody outside a room can order this participant to stop: never called. */
  onRevoke(_listener: (revoke: RecordingRevoke) => void): () => void {
    return () => undefined
  }

  private policy(room: string): RoomPolicy {
    let policy = this.rooms.get(room)
    if (!policy) this.rooms.set(room, (policy = { allowOthers: true, flag: null }))
    return policy
  }

  private notify(room: string): void {
    const state = this.state(room)
    for (const listener of this.listeners) {
      try {
        listener(state)
      } catch {
        // A broken listener must not stop the others from hearing about the flag.
      }
    }
  }
}
