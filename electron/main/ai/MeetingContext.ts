import { AppError } from '../../../shared/errors/AppError'
import { AI_LIMITS, type MeetingChatMessage, type MeetingSnapshot } from '../../../shared/ai/schemas'

/** What this participant runs that the room must announce to everyone. */
export interface AiActivity {
  readonly assistant: boolean
  readonly captions: boolean
}

/**
 * What the assistant needs from the meeting it serves. The meeting issue implements this over the room
 * connection (participants, chat, agenda, recording, the room's AI flag); until then `StandInMeetingContext`
 * stands in. Implementations must not throw from `snapshot`; the action methods and `announce` fail with an
 * `AppError` whose message the panel shows.
 */
export interface MeetingContext {
  /** The meeting as it is now. Called for every question, so it should be cheap. */
  snapshot(): MeetingSnapshot
  /** Send a chat message as the local user (after the user confirmed it). */
  postChat(text: string): Promise<void>
  startRecording(): Promise<void>
  stopRecording(): Promise<void>
  /**
   * Tell everyone in the room what this participant runs (the room protocol's per-participant `activity`).
   * Called on every change with the whole new value, and again when the meeting changes (a room was joined
   * while something was already on). Rejects when the room could not be told; outside a room it resolves.
   */
  announce(activity: AiActivity): Promise<void>
  /**
   * What the room currently shows for this participant (null outside a room). When it disagrees with what runs
   * (the room lost it: a rejoin after eviction), the assistant announces again before it uses the meeting.
   */
  roomActivity?(): AiActivity | null
}

/**
 * STAND-IN until the meeting issue lands: a meeting of one (you), with a local chat that holds only what the
 * assistant posts, no agenda and no recording. Replace it in `createServices` with the real room-backed
 * context; nothing else in ai/ needs to change.
 */
export class StandInMeetingContext implements MeetingContext {
  private readonly chat: MeetingChatMessage[] = []
  private readonly startedAt: number
  private nextId = 1
  /** Last value passed to `announce`, for tests (a real room broadcasts it). */
  announced: AiActivity = { assistant: false, captions: false }

  constructor(
    private readonly you: () => string,
    private readonly now: () => number = Date.now,
  ) {
    this.startedAt = now()
  }

  snapshot(): MeetingSnapshot {
    return {
      meetingId: `local-${this.startedAt}`,
      title: 'Meeting',
      startedAt: this.startedAt,
      participants: [{ id: 'you', name: this.you() || 'You', ai: false, you: true }],
      chat: [...this.chat],
      agenda: [],
    }
  }

  async postChat(text: string): Promise<void> {
    const trimmed = text.trim().slice(0, AI_LIMITS.chatChars)
    if (trimmed === '') throw AppError.invalidRequest('A chat message cannot be empty.')
    this.chat.push({ id: `local-${this.nextId++}`, from: this.you() || 'You', text: trimmed, at: this.now() })
    // Same bound as the room's chat history.
    if (this.chat.length > 500) this.chat.splice(0, this.chat.length - 500)
  }

  async startRecording(): Promise<void> {
    throw new AppError({
      code: 'closed',
      message: 'Recording is not available here yet: join a meeting to record it.',
      retryable: false,
    })
  }

  async stopRecording(): Promise<void> {
    throw new AppError({ code: 'closed', message: 'Nothing is being recorded.', retryable: false })
  }

  async announce(activity: AiActivity): Promise<void> {
    this.announced = activity
  }
}
