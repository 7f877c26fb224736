import { z } from 'zod'
import { DisplayName, Role, RoomName } from './protocol'

/** `room` in a user token: valid for every room (a Convene Worker user's standing credential). */
export const ANY_ROOM = '*'

/**
 * Join tokens: `base64url(JSON claims) "." base64url(HMAC-SHA256(secret, first part))`. Signed and checked with
 * WebCrypto, which Node, workerd and browsers all have, so the Worker, the hub and tests share this code.
 */
export const JoinClaims = z
  .object({
    v: z.literal(1),
    room: z.union([RoomName, z.literal(ANY_ROOM)]),
    name: DisplayName,
    role: Role,
    /** Expiry, seconds since the epoch. */
    exp: z.number().int().positive(),
    ai: z.boolean().optional(),
  })
  .strict()
export type JoinClaims = z.infer<typeof JoinClaims>

export type TokenCheck =
  | { readonly ok: true; readonly claims: JoinClaims }
  | { readonly ok: false; readonly reason: 'malformed' | 'signature' | 'expired' | 'room' }

const encoder = new TextEncoder()
/** The key type from whichever WebCrypto typing is in scope (Node, DOM or workers). */
type HmacKey = Awaited<ReturnType<typeof crypto.subtle.importKey>>
const keys = new Map<string, Promise<HmacKey>>()

function hmacKey(secret: string): Promise<HmacKey> {
  let key = keys.get(secret)
  if (!key) {
    key = crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, [
      'sign',
      'verify',
    ])
    // A handful of secrets per process at most (one per configured backend); no eviction needed.
    keys.set(secret, key)
  }
  return key
}

export function base64url(bytes: Uint8Array): string {
  let binary = ''
  for (const b of bytes) binary += String.fromCharCode(b)
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
}

export function fromBase64url(text: string): Uint8Array | null {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) return null
  try {
    const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (text.length % 4)) % 4))
    const out = new Uint8Array(binary.length)
    for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i)
    return out
  } catch {
    return null
  }
}

export async function signJoinToken(secret: string, claims: JoinClaims): Promise<string> {
  const body = base64url(encoder.encode(JSON.stringify(JoinClaims.parse(claims))))
  const sig = await crypto.subtle.sign('HMAC', await hmacKey(secret), encoder.encode(body))
  return `${body}.${base64url(new Uint8Array(sig))}`
}

/**
 * Check a token's signature (constant time, by WebCrypto), expiry and, when `room` is given, that it was issued for
 * that room (or for every room, `*`). `now` is ms since the epoch.
 */
export async function verifyJoinToken(
  secret: string,
  token: string,
  expected: { readonly now: number; readonly room?: string },
): Promise<TokenCheck> {
  if (token.length > 4096) return { ok: false, reason: 'malformed' }
  const [body, sig, ...rest] = token.split('.')
  if (!body || !sig || rest.length > 0) return { ok: false, reason: 'malformed' }
  const sigBytes = fromBase64url(sig)
  const bodyBytes = fromBase64url(body)
  if (!sigBytes || !bodyBytes) return { ok: false, reason: 'malformed' }
  const valid = await crypto.subtle.verify(
    'HMAC',
    await hmacKey(secret),
    sigBytes as Uint8Array<ArrayBuffer>,
    encoder.encode(body),
  )
  if (!valid) return { ok: false, reason: 'signature' }
  let raw: unknown
  try {
    raw = JSON.parse(new TextDecoder().decode(bodyBytes))
  } catch {
    return { ok: false, reason: 'malformed' }
  }
  const claims = JoinClaims.safeParse(raw)
  if (!claims.success) return { ok: false, reason: 'malformed' }
  if (claims.data.exp * 1000 <= expected.now) return { ok: false, reason: 'expired' }
  const room = claims.data.room
  if (expected.room !== undefined && room !== ANY_ROOM && room !== expected.room)
    return { ok: false, reason: 'room' }
  return { ok: true, claims: claims.data }
}
