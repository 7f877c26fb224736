import { z } from 'zod'
import { WorkerUrl } from '../settings/schema'
import { RoomCode } from '../util/roomCode'

/** The URL scheme the OS hands to Convene: `convene://join/<room>?server=<https url>`. */
export const DEEP_LINK_SCHEME = 'convene'

const MAX_LINK_LENGTH = 2048

/**
 * What a link asks for. `room` only opens that room's lobby; joining needs the user's click there. `invalid`
 * carries a message for the user that says what was wrong and what a good link looks like.
 */
export const OpenRoomRequest = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('room'),
    room: RoomCode,
    /** The Convene server the link names (normalised, https or loopback http); absent for the user's own backend. */
    server: z.string().max(MAX_LINK_LENGTH).optional(),
  }),
  z.object({ kind: z.literal('invalid'), message: z.string().max(400) }),
])
export type OpenRoomRequest = z.infer<typeof OpenRoomRequest>

const EXAMPLE = `${DEEP_LINK_SCHEME}://join/abc-defg-hjk`

function invalid(message: string): OpenRoomRequest {
  return { kind: 'invalid', message }
}

/** A fragment of untrusted input, safe to show in a message: no control characters, bounded length. */
function quote(text: string): string {
  const clean = text.replace(/[\p{Cc}\p{Cf}]/gu, '').slice(0, 40)
  return `“${clean}${text.length > 40 ? '…' : ''}”`
}

function decode(segment: string): string | null {
  try {
    return decodeURIComponent(segment)
  } catch {
    return null
  }
}

/** `https://meet.example.org/base/?x#y` → `https://meet.example.org/base`; null when it is not a usable server. */
export function normaliseServer(raw: string): string | null {
  if (raw.trim() === '' || !WorkerUrl.safeParse(raw).success) return null
  const url = new URL(raw.trim())
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`
}

const isLoopback = (host: string): boolean => ['127.0.0.1', 'localhost', '[::1]'].includes(host)

function roomFrom(segment: string | undefined): OpenRoomRequest | RoomCode {
  const text = segment === undefined ? null : decode(segment)
  if (text === null || text === '') {
    return invalid(`This link has no room code. A Convene link looks like ${EXAMPLE}.`)
  }
  const code = RoomCode.safeParse(text)
  if (!code.success) {
    return invalid(
      `The room code in this link, ${quote(text)}, is not valid. A room code looks like abc-defg-hjk; ask for a new link.`,
    )
  }
  return code.data
}

function parseConvene(url: URL): OpenRoomRequest {
  // `convene://join/x` puts `join` in the host; `convene:join/x` leaves the host empty. Accept both.
  const segments = [url.host, ...url.pathname.split('/')].filter((s) => s !== '')
  const action = segments[0]?.toLowerCase()
  if (action !== 'join' && action !== 'room') {
    return invalid(
      action === undefined
        ? `This Convene link does not name a room. A Convene link looks like ${EXAMPLE}.`
        : `Convene links open a room, like ${EXAMPLE}; this one asks for ${quote(segments[0] ?? '')}, which Convene does not do.`,
    )
  }
  if (segments.length > 2) {
    return invalid(`This link has more after the room code than Convene expects. Use a link like ${EXAMPLE}.`)
  }
  const room = roomFrom(segments[1])
  if (typeof room !== 'string') return room
  const serverParam = url.searchParams.get('server')
  if (serverParam === null || serverParam.trim() === '') return { kind: 'room', room }
  const server = normaliseServer(serverParam)
  if (!server) {
    return invalid(
      'This link names a server Convene will not use. The server must be an https:// address (http:// only on this computer) without a user name or password.',
    )
  }
  return { kind: 'room', room, server }
}

function parseWeb(url: URL): OpenRoomRequest {
  if (url.protocol === 'http:' && !isLoopback(url.hostname)) {
    return invalid('Convene opens http:// links only from this computer. Ask for an https:// link.')
  }
  // `/join/<code>` or `/room/<code>` at the end of the path (a server may sit under a base path), or the web
  // app's `#/room/<code>`.
  const path = /^(.*?)\/(?:join|room)\/([^/]*)\/?$/i.exec(url.pathname)
  if (path) {
    const room = roomFrom(path[2])
    if (typeof room !== 'string') return room
    const server = normaliseServer(`${url.origin}${path[1] ?? ''}`)
    return server ? { kind: 'room', room, server } : { kind: 'room', room }
  }
  const hash = /^#\/(?:join|room)\/([^/?]*)\/?(?:\?.*)?$/i.exec(url.hash)
  if (hash) {
    const room = roomFrom(hash[1])
    // A web-mode page address: the room is what matters; that page is not a server to switch to.
    return typeof room === 'string' ? { kind: 'room', room } : room
  }
  return invalid(
    `This web address is not a Convene room link. A room link ends in /join/abc-defg-hjk, or use ${EXAMPLE}.`,
  )
}

/**
 * Read a link handed to Convene by the OS, another app or a paste. Never throws: anything that is not a room link
 * becomes `{ kind: 'invalid', message }`. Accepts `convene://join/<code>[?server=<url>]` (and `convene://room/…`)
 * and `https://<server>[/<base>]/join/<code>` (or `/room/<code>`, or `#/room/<code>`).
 */
export function parseDeepLink(input: unknown): OpenRoomRequest {
  if (typeof input !== 'string') return invalid('Convene was handed something that is not a link.')
  const text = input.trim()
  if (text === '') return invalid(`The link was empty. A Convene link looks like ${EXAMPLE}.`)
  if (text.length > MAX_LINK_LENGTH) return invalid('That link is too long to be a Convene room link.')
  let url: URL
  try {
    url = new URL(text)
  } catch {
    return invalid(`Convene could not read that link. A Convene link looks like ${EXAMPLE}.`)
  }
  if (url.username || url.password) {
    return invalid('This link contains a user name or password, so Convene will not open it.')
  }
  switch (url.protocol) {
    case `${DEEP_LINK_SCHEME}:`:
      return parseConvene(url)
    case 'https:':
    case 'http:':
      return parseWeb(url)
    default:
      return invalid(`Convene opens only ${DEEP_LINK_SCHEME}:// and https:// room links.`)
  }
}

/** Whether a command-line argument could be a link for Convene (flags and file paths are not). */
export function looksLikeLink(arg: string): boolean {
  return /^(?:convene:|https?:\/\/)/i.test(arg.trim())
}
