import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { newRoomCode } from '../util/roomCode'
import { looksLikeLink, normaliseServer, OpenRoomRequest, parseDeepLink } from './deepLink'

const room = (link: string) => {
  const r = parseDeepLink(link)
  if (r.kind !== 'room') throw new Error(`expected a room, got: ${r.message}`)
  return r
}
const problem = (link: unknown) => {
  const r = parseDeepLink(link)
  if (r.kind !== 'invalid') throw new Error(`expected invalid, got room ${r.room}`)
  return r.message
}

describe('parseDeepLink', () => {
  it('reads convene:// join links, with and without a server', () => {
    expect(room('convene://join/abc-defg-hjk')).toEqual({ kind: 'room', room: 'abc-defg-hjk' })
    expect(room('  CONVENE://JOIN/ABC-DEFG-HJK  ')).toEqual({ kind: 'room', room: 'abc-defg-hjk' })
    expect(room('convene://room/abc-defg-hjk/')).toEqual({ kind: 'room', room: 'abc-defg-hjk' })
    expect(room('convene:join/abc-defg-hjk')).toEqual({ kind: 'room', room: 'abc-defg-hjk' })
    expect(room('convene://join/abc-defg-hjk?server=https%3A%2F%2Fmeet.example.org%2F')).toEqual({
      kind: 'room',
      room: 'abc-defg-hjk',
      server: 'https://meet.example.org',
    })
    expect(room('convene://join/abc-defg-hjk?server=http://127.0.0.1:8787/base/&x=1').server).toBe(
      'http://127.0.0.1:8787/base',
    )
    expect(room('convene://join/abc-defg-hjk?server=').server).toBeUndefined()
  })

  it('reads https join links and takes their origin as the server', () => {
    expect(room('https://meet.example.org/join/abc-defg-hjk')).toEqual({
      kind: 'room',
      room: 'abc-defg-hjk',
      server: 'https://meet.example.org',
    })
    expect(room('https://example.org/convene/room/abc-defg-hjk?utm=1#x').server).toBe(
      'https://example.org/convene',
    )
    // A web-mode page address: the room only.
    expect(room('http://127.0.0.1:4173/#/room/abc-defg-hjk')).toEqual({ kind: 'room', room: 'abc-defg-hjk' })
  })

  it('explains what is wrong with a malformed link', () => {
    expect(problem('convene://join/not-a-code')).toMatch(/room code in this link, “not-a-code”, is not valid/)
    expect(problem('convene://join/abc-defg-hj1')).toMatch(/not valid/)
    expect(problem('convene://join/')).toMatch(/no room code/)
    expect(problem('convene://')).toMatch(/does not name a room/)
    expect(problem('convene://share/abc-defg-hjk')).toMatch(/asks for “share”, which Convene does not do/)
    expect(problem('convene://join/abc-defg-hjk/extra')).toMatch(/more after the room code/)
    expect(problem('convene://join/abc-defg-hjk?server=http://evil.example')).toMatch(
      /server Convene will not use/,
    )
    expect(problem('convene://join/abc-defg-hjk?server=javascript:alert(1)')).toMatch(/server/)
    expect(problem('convene://join/%E0%A4%A')).toMatch(/no room code|not valid/)
    expect(problem('http://meet.example.org/join/abc-defg-hjk')).toMatch(/https:\/\/ link/)
    expect(problem('https://user:pw@meet.example.org/join/abc-defg-hjk')).toMatch(/user name or password/)
    expect(problem('https://example.org/')).toMatch(/not a Convene room link/)
    expect(problem('file:///etc/passwd')).toMatch(/only convene:\/\/ and https:\/\//)
    expect(problem('not a link')).toMatch(/could not read/)
    expect(problem('')).toMatch(/empty/)
    expect(problem(`convene://join/${'a'.repeat(5000)}`)).toMatch(/too long/)
    expect(problem(42)).toMatch(/not a link/)
  })

  it('never echoes control characters or long input back in a message', () => {
    const message = problem(`convene://join/${encodeURIComponent('\u202eevil\u0000' + 'x'.repeat(300))}`)
    expect(message).not.toMatch(/[\p{Cc}\p{Cf}]/u)
    expect(message.length).toBeLessThan(400)
  })

  it('normalises servers and refuses unsafe ones', () => {
    expect(normaliseServer('https://a.example/x/?q#h')).toBe('https://a.example/x')
    expect(normaliseServer('http://localhost:1/')).toBe('http://localhost:1')
    expect(normaliseServer('http://a.example')).toBeNull()
    expect(normaliseServer('')).toBeNull()
  })

  it('tells command-line links from flags and paths', () => {
    expect(looksLikeLink('convene://join/x')).toBe(true)
    expect(looksLikeLink('https://x')).toBe(true)
    expect(looksLikeLink('--inspect')).toBe(false)
    expect(looksLikeLink('/usr/lib/convene')).toBe(false)
  })
})

describe('parseDeepLink fuzzing', () => {
  it('never throws and always returns a request that satisfies its own schema', () => {
    const link = fc.oneof(
      fc.string({ maxLength: 300 }),
      fc.webUrl({ withFragments: true, withQueryParameters: true }),
      fc
        .tuple(
          fc.constantFrom('convene://', 'convene:', 'CONVENE://', 'https://x.example/', 'http://127.0.0.1/'),
          fc.constantFrom('join/', 'room/', 'share/', '', 'join//'),
          fc.string({ maxLength: 40 }),
          fc.option(fc.string({ maxLength: 80 })),
        )
        .map(
          ([scheme, action, code, server]) =>
            `${scheme}${action}${code}${server === null ? '' : `?server=${server}`}`,
        ),
    )
    fc.assert(
      fc.property(link, (input) => {
        const result = parseDeepLink(input)
        expect(OpenRoomRequest.safeParse(result).success).toBe(true)
        if (result.kind === 'invalid') expect(result.message).not.toMatch(/\p{Cc}/u)
      }),
      { numRuns: 2000 },
    )
  })

  it('round-trips every valid room code and server', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 10, maxLength: 10 }), fc.option(fc.domain()), (bytes, host) => {
        const code = newRoomCode(() => bytes)
        const server = host === null ? undefined : `https://${host}`
        const link = `convene://join/${code}${server ? `?server=${encodeURIComponent(server)}` : ''}`
        const result = parseDeepLink(link)
        expect(result).toEqual({
          kind: 'room',
          room: code,
          ...(server ? { server: new URL(server).origin } : {}),
        })
      }),
      { numRuns: 500 },
    )
  })
})
