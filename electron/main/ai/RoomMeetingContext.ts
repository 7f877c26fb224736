import { AI_LIMITS, type MeetingSnapshot } from '../../../shared/ai/schemas'
import { AppError } from '../../../shared/errors/AppError'
import type { RoomStatusEvent } from '../../../shared/room/ipc'
import type { ParticipantActivity, RoomView } from '../../../shared/room/protocol'
import type { AiActivity, MeetingContext } from './MeetingContext'

/** The slice of the room service the assistant reads and acts through. */
export interface RoomPort {
  state(): { readonly status: RoomStatusEvent; readonly view: RoomView | null }
  sendChat(text: string): string
  setActivity(activity: Partial<ParticipantActivity>): Promise<void>
}

/**
 * The assistant's meeting while the user is in a room: the room's participants and chat, and "post to chat" goes
 * to the room (queued in the persisted outbox like any message). Outside a room it falls back to `outside` (a
 * meeting of one), so the panel keeps working in the lobby. `announce` sets the participant's `captions` and
 * `assistant` activity in the room, so everyone sees who runs them. Recording is delegated to `outside` (the
 * renderer drives local recording and its own activity).
 */
export class RoomMeetingContext implements MeetingContext {
  /** Last value passed to `announce`, for tests. */
  announced: AiActivity = { assistant: false, captions: false }

  constructor(
    private readonly room: () => RoomPort | undefined,
    private readonly outside: MeetingContext,
  ) {}

  private joined(): { view: RoomView; me: string | null; port: RoomPort } | null {
    const port = this.room()
    if (!port) return null
    try {
      const { status, view } = port.state()
      if (!view || status.state !== 'joined') return null
      return { view, me: status.participantId, port }
    } catch {
      return null
    }
  }

  snapshot(): MeetingSnapshot {
    const joined = this.joined()
    if (!joined) return this.outside.snapshot()
    const { view, me } = joined
    return {
      meetingId: view.room,
      title: `Room ${view.room}`,
      startedAt: Math.min(...view.participants.map((p) => p.joinedAt), Date.now()),
      participants: view.participants.map((p) => ({ id: p.id, name: p.name, ai: p.ai, you: p.id === me })),
      chat: view.chat.map((m) => ({ id: m.id, from: m.name, text: m.text, at: m.at })),
      agenda: [],
    }
  }

  async postChat(text: string): Promise<void> {
    const joined = this.joined()
    if (!joined) return this.outside.postChat(text)
    const trimmed = text.trim().slice(0, AI_LIMITS.chatChars)
    if (trimmed === '') throw AppError.invalidRequest('A chat message cannot be empty.')
    joined.port.sendChat(trimmed)
  }

  startRecording(): Promise<void> {
    return this.outside.startRecording()
  }

  stopRecording(): Promise<void> {
    return this.outside.stopRecording()
  }

  roomActivity(): AiActivity | null {
    const joined = this.joined()
    const mine = joined?.view.participants.find((p) => p.id === joined.me)
    return mine ? { assistant: mine.activity.assistant, captions: mine.activity.captions } : null
  }

  async announce(activity: AiActivity): Promise<void> {
    this.announced = activity
    await this.outside.announce(activity)
    const joined = this.joined()
    if (!joined) return
    await joined.port.setActivity({ captions: activity.captions, assistant: activity.assistant })
  }
}
