import { describe, expect, it, vi } from 'vitest'
import type { TranscribeChunk, TranscriptEntry } from '../../../shared/ai/schemas'
import { AppError } from '../../../shared/errors/AppError'
import { NO_ACTIVITY, type Participant } from '../../../shared/room/protocol'
import { CaptionsRunner } from './CaptionsRunner'
import { LevelGate, loudestBlockDb } from './level'
import {
  bytesToBase64,
  captionLines,
  chunkMime,
  judgeSegment,
  MAX_CHUNK_BYTES,
  MAX_IN_FLIGHT_PER_TRACK,
  toChunk,
} from './segment'
import { captionSources, diffSources, LOCAL_MIC_KEY, type CaptionSource } from './sources'
import type { RecordedSegment } from './TrackRecorder'

const track = (id: string, readyState: 'live' | 'ended' = 'live') =>
  ({ id, kind: 'audio', readyState }) as unknown as MediaStreamTrack

function participant(id: string, name: string, session: string | null, mic = true): Participant {
  return {
    id,
    name,
    role: 'guest',
    ai: false,
    handRaisedAt: null,
    joinedAt: 1,
    connected: true,
    activity: NO_ACTIVITY,
    tracks: session
      ? {
          sessionId: session,
          tracks: [
            { name: `${id}-cam`, kind: 'video', source: 'camera', muted: false },
            ...(mic
              ? [{ name: `${id}-mic`, kind: 'audio' as const, source: 'mic' as const, muted: false }]
              : []),
          ],
        }
      : null,
  }
}

describe('attribution: one source per participant audio track', () => {
  const view = {
    participants: [
      participant('me', 'Ada', 's-me'),
      participant('p2', 'Grace', 's2'),
      participant('p3', 'Linus', 's3'),
      participant('p4', 'Mute Max', 's4', false),
      participant('p5', 'Late Lu', null),
    ],
  }
  const graceMic = track('g')
  const linusMic = track('l')
  const localMic = track('local')

  it('names each pulled remote mic by its owner, and our own mic by us', () => {
    const remote = new Map([
      ['s2/p2-mic', graceMic],
      ['s3/p3-mic', linusMic],
      ['s2/p2-cam', track('video')],
    ])
    const sources = captionSources({ view, me: 'me', remote, localMic })
    expect(sources.map((s) => [s.key, s.participantId, s.name, s.track])).toEqual([
      [LOCAL_MIC_KEY, 'me', 'Ada', localMic],
      ['s2/p2-mic', 'p2', 'Grace', graceMic],
      ['s3/p3-mic', 'p3', 'Linus', linusMic],
    ])
  })

  it('leaves out tracks not pulled yet, ended tracks, and our mic when we joined without one', () => {
    const remote = new Map([['s3/p3-mic', track('l', 'ended')]])
    expect(captionSources({ view, me: 'me', remote, localMic: null })).toEqual([])
    expect(captionSources({ view: null, me: null, remote, localMic })).toEqual([])
  })

  it('diff: starts new tracks, stops gone ones, restarts a re-pulled track', () => {
    const a: CaptionSource = { key: 'k1', participantId: 'p1', name: 'A', track: track('1') }
    const b: CaptionSource = { key: 'k2', participantId: 'p2', name: 'B', track: track('2') }
    const running = new Map([
      ['k1', { track: a.track, participantId: 'p1' }],
      ['k3', { track: track('3'), participantId: 'p3' }],
    ])
    expect(diffSources(running, [a, b])).toEqual({ start: [b], stop: ['k3'] })
    const repulled = { ...a, track: track('1b') }
    expect(diffSources(running, [repulled])).toEqual({ start: [repulled], stop: ['k1', 'k3'] })
    // A rename is not a restart: the name is read per chunk.
    expect(diffSources(running, [{ ...a, name: 'Renamed' }]).start).toEqual([])
  })
})

describe('level gate', () => {
  const rate = 48_000
  const tone = (seconds: number, amplitude: number, offset = 0) => {
    const out = new Float32Array(Math.round(rate * seconds))
    for (let i = 0; i < out.length; i++)
      out[i] = amplitude * Math.sin((2 * Math.PI * 440 * (i + offset)) / rate)
    return out
  }

  it('digital silence is -Infinity; a full-scale sine is about -3 dBFS', () => {
    expect(loudestBlockDb(new Float32Array(4800), 480)).toBe(Number.NEGATIVE_INFINITY)
    expect(loudestBlockDb(tone(0.1, 1), 480)).toBeCloseTo(-3, 0)
  })

  it('finds a 20 ms word in an otherwise silent window, and ignores faint hiss', () => {
    const gate = new LevelGate()
    const window = new Float32Array(rate / 2)
    window.set(tone(0.02, 0.3), 12_000)
    gate.observe(window, rate)
    expect(gate.take().speech).toBe(true)
    // take() starts the next segment.
    expect(gate.take()).toEqual({ peakDb: Number.NEGATIVE_INFINITY, speech: false })
    gate.observe(tone(0.5, 0.001), rate)
    const hiss = gate.take()
    expect(hiss.speech).toBe(false)
    expect(hiss.peakDb).toBeCloseTo(-63, 0)
  })
})

describe('segments', () => {
  const seg = { startedAt: 1000, endedAt: 5000, bytes: 16_000, speech: true }

  it('sends speech; drops silence, fragments, empty and oversized segments before any upload', () => {
    expect(judgeSegment(seg)).toBe('send')
    expect(judgeSegment({ ...seg, speech: false })).toBe('silent')
    expect(judgeSegment({ ...seg, endedAt: 1200 })).toBe('too-short')
    expect(judgeSegment({ ...seg, bytes: 0 })).toBe('empty')
    expect(judgeSegment({ ...seg, bytes: MAX_CHUNK_BYTES + 1 })).toBe('too-large')
    // The largest chunk sent still fits the IPC schema's base64 limit.
    expect(bytesToBase64(new Uint8Array(MAX_CHUNK_BYTES)).length).toBeLessThanOrEqual(200_000)
  })

  it('names the container main accepts', () => {
    expect(chunkMime('audio/webm;codecs=opus')).toBe('audio/webm')
    expect(chunkMime('audio/ogg; codecs=opus')).toBe('audio/ogg')
    expect(chunkMime('video/webm')).toBeNull()
  })

  it('builds the chunk with who and when; base64 matches the bytes', () => {
    const audio = new Uint8Array([0x1a, 0x45, 0xdf, 0xa3, 0, 255, 7, 8, 9, 10, 11, 12])
    const chunk = toChunk({
      participantId: 'p2',
      speaker: 'Grace',
      trackKey: 's2/p2-mic',
      startedAt: 1000.4,
      endedAt: 5000.6,
      mime: 'audio/webm',
      audio,
    })
    expect(chunk).toEqual({
      participantId: 'p2',
      speaker: 'Grace',
      trackId: 's2/p2-mic',
      startedAt: 1000,
      durationMs: 4000,
      mime: 'audio/webm',
      audio: btoa(String.fromCharCode(...audio)),
    })
  })

  it('caption lines: newest last in speaking order, one per id', () => {
    const e = (id: string, startMs: number, text = id): TranscriptEntry => ({
      id,
      participantId: 'p',
      speaker: 'S',
      startMs,
      endMs: startMs + 4000,
      text,
    })
    const lines = captionLines(
      [e('b', 2000), e('a', 1000), e('d', 4000), e('c', 3000), e('b', 2000, 'B2')],
      3,
    )
    expect(lines.map((l) => l.text)).toEqual(['B2', 'c', 'd'])
  })
})

describe('CaptionsRunner', () => {
  function setup(transcribe: (c: TranscribeChunk) => Promise<unknown> = async () => ({ entry: null })) {
    const recorders = new Map<string, { onSegment: (s: RecordedSegment) => void; stopped: boolean }>()
    const problems: Array<string | null> = []
    const fatal: string[] = []
    const sent: TranscribeChunk[] = []
    const runner = new CaptionsRunner({
      record: (source, onSegment) => {
        const r = { onSegment, stopped: false }
        recorders.set(source.key, r)
        return { stop: () => void (r.stopped = true) }
      },
      transcribe: async (chunk) => {
        sent.push(chunk)
        return transcribe(chunk)
      },
      onProblem: (m) => problems.push(m),
      onFatal: (m) => fatal.push(m),
    })
    return { runner, recorders, problems, fatal, sent }
  }
  const segment = (over: Partial<RecordedSegment> = {}): RecordedSegment => ({
    audio: new Blob([new Uint8Array(4000).fill(1)], { type: 'audio/webm;codecs=opus' }),
    mime: 'audio/webm;codecs=opus',
    startedAt: 10_000,
    endedAt: 14_000,
    speech: true,
    peakDb: -20,
    ...over,
  })
  const grace: CaptionSource = { key: 's2/p2-mic', participantId: 'p2', name: 'Grace', track: track('g') }
  const ada: CaptionSource = { key: LOCAL_MIC_KEY, participantId: 'me', name: 'Ada', track: track('a') }

  it('records each track, sends speech attributed to its owner, skips silence', async () => {
    const { runner, recorders, sent } = setup()
    runner.sync([ada, grace])
    expect(runner.keys).toEqual([LOCAL_MIC_KEY, 's2/p2-mic'])
    recorders.get('s2/p2-mic')!.onSegment(segment())
    recorders.get(LOCAL_MIC_KEY)!.onSegment(segment({ speech: false }))
    await vi.waitFor(() => expect(runner.stats.sent).toBe(1))
    expect(sent).toHaveLength(1)
    expect(sent[0]).toMatchObject({ participantId: 'p2', speaker: 'Grace', trackId: 's2/p2-mic' })
    expect(sent[0]!.mime).toBe('audio/webm')
    expect(runner.stats.silent).toBe(1)
  })

  it('a renamed participant’s next chunk carries the new name; a gone track is stopped', async () => {
    const { runner, recorders, sent } = setup()
    runner.sync([ada, grace])
    runner.sync([{ ...grace, name: 'Grace H.' }])
    expect(recorders.get(LOCAL_MIC_KEY)!.stopped).toBe(true)
    recorders.get('s2/p2-mic')!.onSegment(segment())
    await vi.waitFor(() => expect(sent).toHaveLength(1))
    expect(sent[0]!.speaker).toBe('Grace H.')
    runner.close()
    expect(recorders.get('s2/p2-mic')!.stopped).toBe(true)
  })

  it('drops chunks beyond the in-flight limit instead of piling them up, and says so', async () => {
    const waiting: Array<() => void> = []
    const { runner, recorders, problems } = setup(
      () => new Promise((resolve) => waiting.push(() => resolve({}))),
    )
    runner.sync([grace])
    for (let i = 0; i <= MAX_IN_FLIGHT_PER_TRACK; i++) recorders.get(grace.key)!.onSegment(segment())
    await vi.waitFor(() => expect(waiting).toHaveLength(MAX_IN_FLIGHT_PER_TRACK))
    await vi.waitFor(() => expect(runner.stats.dropped).toBe(1))
    expect(problems.at(-1)).toMatch(/falling behind/)
    for (const release of waiting) release()
    await vi.waitFor(() => expect(runner.stats.sent).toBe(MAX_IN_FLIGHT_PER_TRACK))
    expect(problems.at(-1)).toBeNull()
  })

  it('a transient AI failure is shown and captions go on; a rejected key stops them', async () => {
    let fail: AppError = new AppError({ code: 'rate_limited', message: 'Slow down.', retryable: true })
    const { runner, recorders, problems, fatal } = setup(async () => {
      throw fail
    })
    runner.sync([grace])
    recorders.get(grace.key)!.onSegment(segment())
    await vi.waitFor(() => expect(problems.at(-1)).toBe('Captions: Slow down.'))
    expect(fatal).toEqual([])
    fail = new AppError({ code: 'unauthorized', message: 'Key rejected.', retryable: false })
    recorders.get(grace.key)!.onSegment(segment())
    await vi.waitFor(() => expect(fatal).toEqual(['Key rejected.']))
    expect(runner.stats.failed).toBe(2)
  })

  it('a recorder that cannot start stops only its own track', () => {
    const problems: Array<string | null> = []
    const runner = new CaptionsRunner({
      record: (source) => {
        if (source.key === grace.key) throw new TypeError('no recorder')
        return { stop: () => undefined }
      },
      transcribe: async () => ({}),
      onProblem: (m) => problems.push(m),
      onFatal: () => undefined,
    })
    runner.sync([ada, grace])
    expect(runner.keys).toEqual([LOCAL_MIC_KEY])
    expect(problems).toEqual(['Grace: no recorder'])
  })
})
