import { afterEach, describe, expect, it } from 'vitest'
import type { MeetingSnapshot, TranscribeChunk } from '../../../shared/ai/schemas'
import { AppError } from '../../../shared/errors/AppError'
import { createLogger } from '../../../shared/log/logger'
import { Redactor } from '../../../shared/log/redact'
import { startOpenAiStub, type OpenAiStub } from '../../../test/helpers/openaiStub/OpenAiStub'
import { sineWav } from '../../../test/helpers/openaiStub/wav'
import { AiService } from './AiService'
import type { AiActivity, MeetingContext } from './MeetingContext'

/** A meeting whose room, people and "can the room be told" the test controls. */
class FakeMeeting implements MeetingContext {
  meetingId = 'room-a'
  names: Record<string, string> = { p1: 'Ada', p2: 'Grace' }
  announcements: Array<{ meetingId: string; activity: AiActivity }> = []
  refuse: AppError | null = null
  /** What the room shows for us; null: not in a room. */
  shown: AiActivity | null = null

  snapshot(): MeetingSnapshot {
    return {
      meetingId: this.meetingId,
      title: this.meetingId,
      startedAt: 0,
      participants: Object.entries(this.names).map(([id, name]) => ({
        id,
        name,
        ai: false,
        you: id === 'p1',
      })),
      chat: [],
      agenda: [],
    }
  }
  async postChat(): Promise<void> {}
  async startRecording(): Promise<void> {}
  async stopRecording(): Promise<void> {}
  async announce(activity: AiActivity): Promise<void> {
    if (this.refuse) throw this.refuse
    this.announcements.push({ meetingId: this.meetingId, activity })
    if (this.shown) this.shown = activity
  }
  roomActivity(): AiActivity | null {
    return this.shown
  }
}

let stub: OpenAiStub
afterEach(async () => stub?.close())

async function setup(): Promise<{ ai: AiService; meeting: FakeMeeting; captions: unknown[] }> {
  stub = await startOpenAiStub()
  const meeting = new FakeMeeting()
  const captions: unknown[] = []
  const ai = new AiService({
    config: () => ({
      apiKey: 'sk-test-transcript-123',
      baseURL: stub.baseURL,
      model: 'm',
      transcriptionModel: 'whisper-1',
    }),
    log: createLogger('test', [], new Redactor()),
    emit: (channel, payload) => {
      if (channel === 'ai:caption') captions.push(payload)
    },
    meeting,
    summaries: { save: async () => '/dev/null' },
  })
  return { ai, meeting, captions }
}

const chunk = (participantId: string, speaker: string, startedAt: number): TranscribeChunk => ({
  participantId,
  speaker,
  trackId: `${participantId}-session/mic`,
  startedAt,
  durationMs: 1000,
  mime: 'audio/wav',
  audio: sineWav({ seconds: 1 }).toString('base64'),
})

describe("main's transcript", () => {
  it('keeps entries in speaking order with the room’s names, whatever order the chunks finish in', async () => {
    const { ai } = await setup()
    await ai.setEnabled({ captions: true })
    stub.enqueueTranscription(
      { kind: 'text', text: ' second  line ' },
      { kind: 'text', text: 'first line' },
      { kind: 'text', text: '' },
    )
    // Grace's later chunk is transcribed first; the renderer sent a stale name for p1.
    await ai.transcribe(chunk('p2', 'Grace', 2000))
    await ai.transcribe(chunk('p1', 'Old name', 1000))
    expect(await ai.transcribe(chunk('p1', 'Ada', 3000))).toBeNull()
    expect(ai.transcript(10).map((e) => [e.speaker, e.text, e.startMs, e.endMs])).toEqual([
      ['Ada', 'first line', 1000, 2000],
      ['Grace', 'second line', 2000, 3000],
    ])
    expect(ai.transcript(10)[0]!.trackId).toBe('p1-session/mic')
    expect(ai.state().context.transcriptEntries).toBe(2)
  })

  it('starts an empty transcript in a new meeting and tells the new room before any audio is sent', async () => {
    const { ai, meeting } = await setup()
    await ai.setEnabled({ captions: true })
    stub.enqueueTranscription({ kind: 'text', text: 'in room a' }, { kind: 'text', text: 'in room b' })
    await ai.transcribe(chunk('p1', 'Ada', 1000))
    expect(meeting.announcements).toEqual([
      { meetingId: 'room-a', activity: { assistant: false, captions: true } },
    ])

    meeting.meetingId = 'room-b'
    expect(ai.transcript(10)).toEqual([])
    expect(ai.state().context.transcriptEntries).toBe(0)
    await ai.transcribe(chunk('p1', 'Ada', 5000))
    expect(meeting.announcements.at(-1)).toEqual({
      meetingId: 'room-b',
      activity: { assistant: false, captions: true },
    })
    expect(ai.transcript(10).map((e) => e.text)).toEqual(['in room b'])
  })

  it('stays off when the room cannot be told, and sends no audio unannounced', async () => {
    const { ai, meeting } = await setup()
    meeting.refuse = AppError.forbidden('The room refused.')
    await expect(ai.setEnabled({ captions: true })).rejects.toThrow(/could not be told.*The room refused/)
    expect(ai.state().captions).toBe(false)
    await expect(ai.transcribe(chunk('p1', 'Ada', 1000))).rejects.toMatchObject({ code: 'forbidden' })

    meeting.refuse = null
    await ai.setEnabled({ captions: true })
    // A new room that refuses: the chunk is not sent to the AI server.
    meeting.meetingId = 'room-b'
    meeting.refuse = AppError.forbidden('The room refused.')
    await expect(ai.transcribe(chunk('p1', 'Ada', 1000))).rejects.toThrow('The room refused.')
    expect(stub.transcriptions).toHaveLength(0)
    // Turning off always works, even when the room cannot be told.
    expect((await ai.setEnabled({ captions: false })).captions).toBe(false)
  })

  it('announces again when the room lost what runs (a rejoin), before the next chunk is sent', async () => {
    const { ai, meeting } = await setup()
    meeting.shown = { assistant: false, captions: false }
    await ai.setEnabled({ captions: true })
    expect(meeting.shown).toEqual({ assistant: false, captions: true })
    stub.enqueueTranscription({ kind: 'text', text: 'one' }, { kind: 'text', text: 'two' })
    await ai.transcribe(chunk('p1', 'Ada', 1000))
    expect(meeting.announcements).toHaveLength(1)
    // The room forgot (a new participant record): the next chunk re-announces first.
    meeting.shown = { assistant: false, captions: false }
    await ai.transcribe(chunk('p1', 'Ada', 5000))
    expect(meeting.announcements).toHaveLength(2)
    expect(meeting.shown).toEqual({ assistant: false, captions: true })
  })
})
