import { describe, expect, it } from 'vitest'
import type { RecordingStatus, RoomRecordingState } from '../../../shared/recording/schemas'
import { RecordingCommands, type RecordingCommandPort } from './RecordingCommands'

const idle: RoomRecordingState = {
  room: 'abc',
  active: false,
  paused: false,
  byName: '',
  byMe: false,
  allowOthers: true,
  isHost: false,
  canRecord: true,
}

/** A meeting screen that answers commands the way the recorder does (or not at all). */
function screen(answer: 'records' | 'fails' | 'silent', state: RoomRecordingState = idle) {
  const listeners = new Set<(s: RecordingStatus) => void>()
  const sent: string[] = []
  const status = (s: Partial<RecordingStatus>): RecordingStatus => ({
    id: 'r1',
    name: 'abc.webm',
    room: 'abc',
    state: 'waiting',
    bytes: 0,
    durationMs: 0,
    freeBytes: null,
    ...s,
  })
  const port: RecordingCommandPort = {
    room: () => state.room,
    roomState: () => state,
    send: (command) => {
      sent.push(command)
      if (answer === 'silent') return
      queueMicrotask(() => {
        for (const l of listeners) l(status({ room: 'other', state: 'recording' }))
        for (const l of listeners)
          l(
            answer === 'fails'
              ? status({ state: 'stopped', reason: 'error', message: 'The disk is full.' })
              : status({ state: command === 'start' ? 'recording' : 'stopped' }),
          )
      })
    },
    onStatus: (listener) => {
      listeners.add(listener)
      return () => void listeners.delete(listener)
    },
  }
  return { port, sent, listeners }
}

describe('recording on the assistant’s word', () => {
  it('asks the meeting screen and settles when that room’s recorder reports', async () => {
    const s = screen('records')
    await new RecordingCommands(s.port).start()
    expect(s.sent).toEqual(['start'])
    expect(s.listeners.size).toBe(0)
    const recording = screen('records', { ...idle, active: true, byMe: true })
    await new RecordingCommands(recording.port).stop()
    expect(recording.sent).toEqual(['stop'])
  })

  it('refuses without asking when the room does not allow it, or nothing of ours records', async () => {
    const forbidden = screen('records', { ...idle, canRecord: false, reason: 'The host does not allow it.' })
    await expect(new RecordingCommands(forbidden.port).start()).rejects.toMatchObject({
      code: 'forbidden',
      message: 'The host does not allow it.',
    })
    const someoneElse = screen('records', { ...idle, active: true, byMe: false })
    await expect(new RecordingCommands(someoneElse.port).stop()).rejects.toMatchObject({
      code: 'invalid_request',
    })
    expect([...forbidden.sent, ...someoneElse.sent]).toEqual([])
    const outside = screen('records')
    outside.port.room = () => null
    await expect(new RecordingCommands(outside.port).start()).rejects.toThrow('Join a meeting')
  })

  it('passes on why the recorder stopped, and times out when no meeting screen answers', async () => {
    await expect(new RecordingCommands(screen('fails').port).start()).rejects.toThrow('The disk is full.')
    const silent = screen('silent')
    await expect(new RecordingCommands(silent.port, 20).start()).rejects.toMatchObject({ code: 'timeout' })
    expect(silent.listeners.size).toBe(0)
    // Already recording: nothing to do.
    const mine = screen('silent', { ...idle, active: true, byMe: true })
    await new RecordingCommands(mine.port, 20).start()
    expect(mine.sent).toEqual([])
  })
})
