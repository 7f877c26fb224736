import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { newRoomCode, parseRoomInput, RoomCode } from './roomCode'

describe('room codes', () => {
  it('generates valid codes', () => {
    for (let i = 0; i < 200; i++) expect(RoomCode.safeParse(newRoomCode()).success).toBe(true)
  })
  it('finds the code in codes and links', () => {
    const code = newRoomCode()
    for (const input of [
      code,
      ` ${code.toUpperCase()} `,
      `convene://join/${code}`,
      `convene://join/${code}?server=https://x.example`,
      `https://meet.example.org/room/${code}`,
      `https://meet.example.org/#/room/${code}`,
    ]) {
      expect(parseRoomInput(input), input).toBe(code)
    }
  })
  it('returns null for anything else, and never throws', () => {
    for (const input of [
      '',
      'abc',
      'javascript:alert(1)',
      'https://x/room/abc-defg-hi1',
      'ftp://x/room/abc-defg-hjk',
      'abc-defg-hjl',
    ]) {
      expect(parseRoomInput(input), input).toBeNull()
    }
    fc.assert(
      fc.property(fc.string({ maxLength: 3000 }), (s) => {
        const code = parseRoomInput(s)
        return code === null || RoomCode.safeParse(code).success
      }),
    )
  })
})
