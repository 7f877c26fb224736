import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { TranscriptEntry } from './schemas'
import { addTranscriptEntry, emptyTranscript, transcriptSince, type TranscriptState } from './transcript'

const entry = (id: string, startMs: number, text = `text ${id}`, speaker = 'Ada'): TranscriptEntry => ({
  id,
  participantId: speaker.toLowerCase(),
  speaker,
  startMs,
  endMs: startMs + 1000,
  text,
})

describe('transcript store', () => {
  it('keeps entries ordered by start time when chunks arrive out of order', () => {
    let state: TranscriptState = emptyTranscript
    for (const [id, at] of [
      ['b', 2000],
      ['a', 1000],
      ['d', 4000],
      ['c', 3000],
    ] as const) {
      state = addTranscriptEntry(state, entry(id, at))
    }
    expect(state.entries.map((e) => e.id)).toEqual(['a', 'b', 'c', 'd'])
  })

  it('replaces an entry sent again with the same id and keeps the char count right', () => {
    let state = addTranscriptEntry(emptyTranscript, entry('a', 1000, 'first'))
    state = addTranscriptEntry(state, entry('a', 1000, 'second version'))
    expect(state.entries).toHaveLength(1)
    expect(state.entries[0]!.text).toBe('second version')
    expect(state.chars).toBe('second version'.length)
  })

  it('drops the oldest entries at the entry and character bounds', () => {
    let state: TranscriptState = emptyTranscript
    for (let i = 0; i < 10; i++) {
      state = addTranscriptEntry(state, entry(String(i), i * 1000, 'x'.repeat(10)), {
        maxEntries: 4,
        maxChars: 1000,
      })
    }
    expect(state.entries.map((e) => e.id)).toEqual(['6', '7', '8', '9'])
    state = addTranscriptEntry(state, entry('big', 20_000, 'y'.repeat(25)), { maxEntries: 4, maxChars: 40 })
    expect(state.entries.map((e) => e.id)).toEqual(['9', 'big'])
    expect(state.chars).toBe(35)
  })

  it('holds its invariants for any sequence of adds', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(fc.integer({ min: 0, max: 20 }), fc.integer({ min: 0, max: 100_000 }), fc.string()),
          {
            maxLength: 60,
          },
        ),
        (adds) => {
          let state: TranscriptState = emptyTranscript
          const limits = { maxEntries: 10, maxChars: 50 }
          for (const [id, at, text] of adds)
            state = addTranscriptEntry(state, entry(String(id), at, text), limits)
          const starts = state.entries.map((e) => e.startMs)
          expect(starts).toEqual([...starts].sort((a, b) => a - b))
          expect(new Set(state.entries.map((e) => e.id)).size).toBe(state.entries.length)
          expect(state.chars).toBe(state.entries.reduce((n, e) => n + e.text.length, 0))
          expect(state.entries.length).toBeLessThanOrEqual(10)
          if (state.entries.length > 1) expect(state.chars).toBeLessThanOrEqual(50)
        },
      ),
    )
  })

  it('selects the entries of a time window', () => {
    let state: TranscriptState = emptyTranscript
    for (let i = 0; i < 5; i++) state = addTranscriptEntry(state, entry(String(i), i * 10_000))
    expect(transcriptSince(state, 30_000).map((e) => e.id)).toEqual(['3', '4'])
  })
})
