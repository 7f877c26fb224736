import { AppError } from '../../../shared/errors/AppError'
import type { RoomRecordingState } from '../../../shared/recording/schemas'

/** The room-side recording flag this participant sets: who records, and whether it is paused. */
export interface RecordingFlag {
  readonly byName: string
  readonly paused: boolean
}

export type RecordPermission =
  { readonly allowed: true } | { readonly allowed: false; readonly reason: string }

/**
 * Consent and policy for recording, as the room sees it. The recorder asks `canRecord` before it starts and
 * calls `setRecordingFlag` on every change, so every participant's indicator follows. The room protocol
 * implements this against the room core (host role, the room-wide flag); `LocalRecordingGate` stands in until
 * then and for rooms without a server.
 */
export interface RecordingGate {
  canRecord(room: string): RecordPermission
  /** `null` clears the flag (recording ended). */
  setRecordingFlag(room: string, flag: RecordingFlag | null): void
  /** Host only: let other participants record, or forbid it. Throws `forbidden` for anyone else. */
  setAllowOthers(room: string, allow: boolean): void
  state(room: string): RoomRecordingState
  /** Called with a room's new state whenever it changes (flag or policy). Returns a disposer. */
  subscribe(listener: (state: RoomRecordingState) => void): () => void
}

interface RoomPolicy {
  allowOthers: boolean
  flag: RecordingFlag | null
}

/**
 * In-memory gate for a participant who is alone with the room state: it is the host unless told otherwise,
 * and the flag it sets is the room's flag. Enough for the local backend before the room protocol lands, and a
 * reference for the real adapter's behaviour.
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

  setRecordingFlag(room: string, flag: RecordingFlag | null): void {
    this.policy(room).flag = flag
    this.notify(room)
  }

  setAllowOthers(room: string, allow: boolean): void {
    if (!this.isHost(room)) throw AppError.forbidden('Only the host can change who may record.')
    this.policy(room).allowOthers = allow
    this.notify(room)
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
