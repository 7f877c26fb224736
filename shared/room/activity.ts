import type { Participant, ParticipantActivity, RoomView } from './protocol'

/** What everyone in the room must be told about: who records, who runs captions, who runs the assistant. */
export interface RoomActivity {
  /** The room records (a host announced it) or at least one participant records locally. */
  readonly recording: boolean
  /** Every local recorder is paused (and the room itself does not record). */
  readonly recordingPaused: boolean
  readonly recorders: readonly string[]
  readonly captions: readonly string[]
  readonly assistant: readonly string[]
}

export function roomActivity(view: Pick<RoomView, 'flags' | 'participants'>): RoomActivity {
  const names = (pick: (a: ParticipantActivity) => boolean) =>
    view.participants.filter((p) => pick(p.activity)).map((p) => p.name)
  const recorders = names((a) => a.recording !== 'off')
  const live = names((a) => a.recording === 'on')
  return {
    recording: view.flags.recording || recorders.length > 0,
    recordingPaused: !view.flags.recording && recorders.length > 0 && live.length === 0,
    recorders,
    captions: names((a) => a.captions),
    assistant: names((a) => a.assistant),
  }
}

/**
 * The sentences to tell everyone when a participant's activity changes (`before` is null for someone who just
 * joined with something already running). `self` words it for the participant's own screen.
 */
export function activityNotices(
  before: ParticipantActivity | null,
  after: Participant,
  self: boolean,
): string[] {
  const who = self ? 'You' : after.name
  const was = before ?? { recording: 'off', captions: false, assistant: false }
  const now = after.activity
  const out: string[] = []
  if (was.recording !== now.recording) {
    if (now.recording === 'off') out.push(`${who} stopped recording`)
    else if (now.recording === 'paused') out.push(`${who} paused the recording`)
    else
      out.push(
        was.recording === 'paused' ? `${who} resumed recording` : `${who} started recording this meeting`,
      )
  }
  if (was.captions !== now.captions)
    out.push(now.captions ? `${who} turned on live captions` : `${who} turned off live captions`)
  if (was.assistant !== now.assistant)
    out.push(now.assistant ? `${who} turned on the AI assistant` : `${who} turned off the AI assistant`)
  return out
}
