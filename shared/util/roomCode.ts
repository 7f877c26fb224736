import { z } from 'zod'

// No l, i, o, 0, 1: codes are read aloud and typed from screenshots.
const ALPHABET = 'abcdefghjkmnpqrstuvwxyz'

/** `xxx-xxxx-xxx`: about 10^13 codes, easy to read out. */
export const RoomCode = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z]{3}-[a-z]{4}-[a-z]{3}$/, 'A room code looks like abc-defg-hjk')
  .refine(
    (code) => [...code.replace(/-/g, '')].every((c) => ALPHABET.includes(c)),
    'That room code has letters Convene never uses',
  )
export type RoomCode = z.infer<typeof RoomCode>

/** A new random room code from a CSPRNG (`crypto.getRandomValues` exists in browsers, Node and workers). */
export function newRoomCode(
  random: (bytes: Uint8Array<ArrayBuffer>) => Uint8Array = (b) => crypto.getRandomValues(b),
): RoomCode {
  const bytes = random(new Uint8Array(10))
  const letters = [...bytes].map((b) => ALPHABET[b % ALPHABET.length]).join('')
  return `${letters.slice(0, 3)}-${letters.slice(3, 7)}-${letters.slice(7, 10)}`
}

/**
 * Find the room code in what a user pasted: a bare code, a `convene://join/<code>` link, or an https link whose
 * path or fragment ends in `/room/<code>` or `/join/<code>`. Returns null when there is none.
 */
export function parseRoomInput(input: string): RoomCode | null {
  const text = input.trim()
  if (text.length === 0 || text.length > 2048) return null
  const direct = RoomCode.safeParse(text)
  if (direct.success) return direct.data
  let url: URL
  try {
    url = new URL(text)
  } catch {
    return null
  }
  if (!['convene:', 'https:', 'http:'].includes(url.protocol)) return null
  const where = url.protocol === 'convene:' ? `${url.host}${url.pathname}` : `${url.pathname}${url.hash}`
  const match = /(?:^|\/)(?:room|join)\/([a-zA-Z-]{12})(?:[/?#]|$)/.exec(where)
  if (!match?.[1]) return null
  const code = RoomCode.safeParse(match[1])
  return code.success ? code.data : null
}
