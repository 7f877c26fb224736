import { describe, expect, it } from 'vitest'
import type { ChatMessage } from '../../../shared/room/protocol'
import { mergeChat } from './chatMerge'
import type { ChatLineState } from './MeetingController'

const message = (seq: number, id: string, from: string, text: string): ChatMessage => ({
  seq,
  id,
  from,
  name: from === 'me' ? 'Ada' : 'Bob',
  text,
  at: 1000 + seq,
})
const line = (id: string, text: string, mine: boolean, acked: boolean): ChatLineState => ({
  id,
  name: mine ? 'Ada' : 'Bob',
  text,
  at: 1,
  mine,
  acked,
})

describe('mergeChat (whole view after a reconnect)', () => {
  it('adds what was said while away once, and marks our pending line delivered', () => {
    const lines = [line('m1', 'hello', false, true), line('m2', 'sent while down', true, false)]
    const stored = [
      message(1, 'm1', 'bob', 'hello'),
      message(2, 'm2', 'me', 'sent while down'),
      message(3, 'm3', 'bob', 'while you were away'),
    ]
    const merged = mergeChat(lines, stored, 'me')
    expect(merged.chat.map((l) => [l.id, l.acked])).toEqual([
      ['m1', true],
      ['m2', true],
      ['m3', true],
    ])
    expect(merged.unseen).toBe(1)
    // Merging the same view again changes nothing: no duplicates.
    expect(mergeChat(merged.chat, stored, 'me').chat).toBe(merged.chat)
  })

  it('keeps lines a room that lost its history no longer holds', () => {
    const lines = [line('m1', 'before the restart', false, true), line('m2', 'pending', true, false)]
    const merged = mergeChat(lines, [message(1, 'm2', 'me', 'pending')], 'me')
    expect(merged.chat.map((l) => [l.text, l.acked])).toEqual([
      ['before the restart', true],
      ['pending', true],
    ])
    expect(merged.unseen).toBe(0)
    expect(mergeChat(lines, [], 'me').chat).toBe(lines)
  })
})
