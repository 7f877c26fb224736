import { describe, expect, it } from 'vitest'
import { AppError } from '../../../shared/errors/AppError'
import { NO_ACTIVITY, type ParticipantActivity, type RoomView } from '../../../shared/room/protocol'
import { StandInMeetingContext } from './MeetingContext'
import { RoomMeetingContext, type RoomPort } from './RoomMeetingContext'

const view: RoomView = {
  room: 'abc-defg-hjk',
  version: 3,
  flags: { locked: false, waitingRoom: false, recording: false, allowRecording: true },
  participants: [
    {
      id: 'p1',
      name: 'Ada',
      role: 'host',
      ai: false,
      handRaisedAt: null,
      joinedAt: 1000,
      connected: true,
      tracks: null,
      activity: NO_ACTIVITY,
    },
    {
      id: 'p2',
      name: 'Bob',
      role: 'guest',
      ai: false,
      handRaisedAt: null,
      joinedAt: 2000,
      connected: true,
      tracks: null,
      activity: NO_ACTIVITY,
    },
  ],
  waiting: [],
  chat: [{ seq: 1, id: 'm1', from: 'p2', name: 'Bob', text: 'ship it friday', at: 2500 }],
  dms: [],
}

function port(
  state: 'joined' | 'reconnecting',
  sent: string[],
  activity: Array<Partial<ParticipantActivity>> = [],
  fail?: Error,
): RoomPort {
  return {
    setActivity: async (change) => {
      if (fail) throw fail
      activity.push(change)
    },
    state: () => ({
      status: { room: view.room, state, attempt: 0, reason: null, participantId: 'p1' },
      view,
    }),
    sendChat: (text) => {
      sent.push(text)
      return `id-${sent.length}`
    },
  }
}

describe('RoomMeetingContext', () => {
  it('gives the assistant the room’s people and chat, and posts to the room', async () => {
    const sent: string[] = []
    const ctx = new RoomMeetingContext(() => port('joined', sent), new StandInMeetingContext(() => 'Ada'))
    const snap = ctx.snapshot()
    expect(snap.participants).toEqual([
      { id: 'p1', name: 'Ada', ai: false, you: true },
      { id: 'p2', name: 'Bob', ai: false, you: false },
    ])
    expect(snap.chat).toEqual([{ id: 'm1', from: 'Bob', text: 'ship it friday', at: 2500 }])
    expect(snap.startedAt).toBe(1000)
    await ctx.postChat('  Summary: ship Friday  ')
    expect(sent).toEqual(['Summary: ship Friday'])
  })

  it('falls back to a meeting of one outside a room', async () => {
    const sent: string[] = []
    const outside = new StandInMeetingContext(() => 'Ada')
    const ctx = new RoomMeetingContext(() => port('reconnecting', sent), outside)
    expect(ctx.snapshot().participants).toHaveLength(1)
    await ctx.postChat('note to self')
    expect(sent).toEqual([])
    expect(ctx.snapshot().chat.map((m) => m.text)).toEqual(['note to self'])
    expect(new RoomMeetingContext(() => undefined, outside).snapshot().participants).toHaveLength(1)
  })

  it('announces captions and the assistant to the room it is in, and only there', async () => {
    const activity: Array<Partial<ParticipantActivity>> = []
    const outside = new StandInMeetingContext(() => 'Ada')
    await new RoomMeetingContext(() => port('joined', [], activity), outside).announce({
      assistant: false,
      captions: true,
    })
    expect(activity).toEqual([{ captions: true, assistant: false }])
    expect(new RoomMeetingContext(() => port('joined', []), outside).roomActivity()).toEqual({
      assistant: false,
      captions: false,
    })
    expect(new RoomMeetingContext(() => port('reconnecting', []), outside).roomActivity()).toBeNull()
    await new RoomMeetingContext(() => port('reconnecting', [], activity), outside).announce({
      assistant: true,
      captions: true,
    })
    expect(activity).toHaveLength(1)
    expect(outside.announced).toEqual({ assistant: true, captions: true })
    const refused = new RoomMeetingContext(
      () => port('joined', [], activity, AppError.forbidden('Not allowed here.')),
      outside,
    )
    await expect(refused.announce({ assistant: true, captions: false })).rejects.toThrow('Not allowed here.')
  })
})
