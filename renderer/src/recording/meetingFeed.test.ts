import { describe, expect, it } from 'vitest'
import type { Participant, RoomView, TrackInfo } from '../../../shared/room/protocol'
import { recordingInputs, type MeetingMedia } from './meetingFeed'

const track = (id: string) =>
  ({ id, kind: id.includes('mic') ? 'audio' : 'video' }) as unknown as MediaStreamTrack

function person(id: string, name: string, tracks: TrackInfo[] | null): Participant {
  return {
    id,
    name,
    role: 'guest',
    ai: false,
    handRaisedAt: null,
    joinedAt: 1,
    connected: true,
    tracks: tracks ? { sessionId: `s-${id}`, tracks } : null,
    activity: { recording: 'off', captions: false, assistant: false },
  }
}

const cam = (name: string, muted = false): TrackInfo => ({ name, kind: 'video', source: 'camera', muted })
const mic = (name: string, muted = false): TrackInfo => ({ name, kind: 'audio', source: 'mic', muted })
const screen = (name: string): TrackInfo => ({ name, kind: 'video', source: 'screen', muted: false })

function view(participants: Participant[]): RoomView {
  return {
    room: 'abc-defg-hij',
    version: 1,
    flags: { locked: false, waitingRoom: false, recording: false, allowRecording: true },
    participants,
    waiting: [],
    chat: [],
    dms: [],
  }
}

const localCamera = track('local-cam')
const localMic = track('local-mic')
const bobCam = track('bob-cam')
const bobMic = track('bob-mic')
const cyScreen = track('cy-screen')

function media(participants: Participant[], extra: Partial<MeetingMedia> = {}): MeetingMedia {
  return {
    view: view(participants),
    me: 'a',
    cameraOn: true,
    localCamera,
    localScreen: null,
    localMic,
    remote: new Map([
      ['s-b/cam-b', bobCam],
      ['s-b/mic-b', bobMic],
      ['s-c/screen-c', cyScreen],
    ]),
    ...extra,
  }
}

describe('recordingInputs', () => {
  const ada = person('a', 'Ada', [cam('cam-a'), mic('mic-a')])
  const bob = person('b', 'Bob', [cam('cam-b'), mic('mic-b')])

  it('gives everyone a tile with their own camera and mixes every microphone, in the room’s order', () => {
    const inputs = recordingInputs(media([ada, bob]))
    expect(inputs.tiles).toEqual([
      { id: 'a:camera', label: 'Ada (you)', track: localCamera },
      { id: 'b:camera', label: 'Bob', track: bobCam },
    ])
    expect(inputs.layout).toEqual({ kind: 'grid', focusId: null })
    expect([...inputs.audio]).toEqual([
      ['local-mic', localMic],
      ['b', bobMic],
    ])
  })

  it('shows initials for a camera that is off or not here yet, and puts a screen share large', () => {
    const cy = person('c', 'Cy', [cam('cam-c'), screen('screen-c')])
    const late = person('d', 'Dee', null)
    const inputs = recordingInputs(
      media([ada, person('b', 'Bob', [cam('cam-b', true), mic('mic-b')]), cy, late], { cameraOn: false }),
    )
    expect(inputs.tiles.map((t) => [t.id, t.track])).toEqual([
      ['a:camera', null],
      ['b:camera', null],
      ['c:camera', null],
      ['c:screen', cyScreen],
      ['d:camera', null],
    ])
    expect(inputs.tiles[3]!.label).toBe("Cy's screen")
    expect(inputs.layout).toEqual({ kind: 'speaker', focusId: 'c:screen' })
    expect([...inputs.audio.keys()]).toEqual(['local-mic', 'b'])
  })

  it('follows people leaving: their tile and voice go', () => {
    expect(recordingInputs(media([ada])).tiles.map((t) => t.id)).toEqual(['a:camera'])
    expect([...recordingInputs(media([ada])).audio.keys()]).toEqual(['local-mic'])
  })
})
