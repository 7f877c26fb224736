import { describe, expect, it } from 'vitest'
import { activityNotices, roomActivity } from './activity'
import { NO_ACTIVITY, type Participant, type ParticipantActivity } from './protocol'

const person = (name: string, activity: Partial<ParticipantActivity> = {}): Participant => ({
  id: `p-${name}`,
  name,
  role: 'guest',
  ai: false,
  handRaisedAt: null,
  joinedAt: 0,
  connected: true,
  tracks: null,
  activity: { ...NO_ACTIVITY, ...activity },
})
const flags = { locked: false, waitingRoom: false, recording: false, allowRecording: true }

describe('room activity', () => {
  it('names who records, who runs captions and the assistant', () => {
    const a = roomActivity({
      flags,
      participants: [person('Ada', { recording: 'on' }), person('Bo', { captions: true, assistant: true })],
    })
    expect(a).toEqual({
      recording: true,
      recordingPaused: false,
      recorders: ['Ada'],
      captions: ['Bo'],
      assistant: ['Bo'],
    })
  })

  it('is paused only when every recorder is paused and the room itself does not record', () => {
    const paused = [person('Ada', { recording: 'paused' })]
    expect(roomActivity({ flags, participants: paused }).recordingPaused).toBe(true)
    expect(roomActivity({ flags: { ...flags, recording: true }, participants: paused }).recordingPaused).toBe(
      false,
    )
    expect(
      roomActivity({ flags, participants: [...paused, person('Bo', { recording: 'on' })] }).recordingPaused,
    ).toBe(false)
    expect(roomActivity({ flags, participants: [person('Cy')] })).toMatchObject({
      recording: false,
      recordingPaused: false,
    })
  })

  it('words each change for others and for oneself', () => {
    expect(activityNotices(NO_ACTIVITY, person('Ada', { recording: 'on' }), false)).toEqual([
      'Ada started recording this meeting',
    ])
    expect(
      activityNotices({ ...NO_ACTIVITY, recording: 'on' }, person('Ada', { recording: 'paused' }), true),
    ).toEqual(['You paused the recording'])
    expect(
      activityNotices({ ...NO_ACTIVITY, recording: 'paused' }, person('Ada', { recording: 'on' }), false),
    ).toEqual(['Ada resumed recording'])
    expect(activityNotices(null, person('Bo', { captions: true, assistant: true }), false)).toEqual([
      'Bo turned on live captions',
      'Bo turned on the AI assistant',
    ])
    expect(activityNotices({ ...NO_ACTIVITY, captions: true }, person('Bo'), false)).toEqual([
      'Bo turned off live captions',
    ])
    expect(activityNotices(NO_ACTIVITY, person('Bo'), false)).toEqual([])
  })
})
