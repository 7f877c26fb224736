import { z } from 'zod'
import { DisplayName, Role, RoomName } from '../../../shared/room/protocol'
import { ANY_ROOM, signJoinToken } from '../../../shared/room/token'
import { requireSecret, type Env } from '../env'
import { bearer, fail, json, unauthorized } from './http'

const MintRequest = z
  .object({
    /** A room name, or `*` for a user token valid in every room. */
    room: z.union([RoomName, z.literal(ANY_ROOM)]),
    name: DisplayName,
    role: Role,
    /** Lifetime; a day by default, a week at most. */
    ttlSeconds: z
      .number()
      .int()
      .min(60)
      .max(7 * 24 * 3600)
      .default(24 * 3600),
    ai: z.boolean().optional(),
  })
  .strict()

async function sameSecret(a: string, b: string): Promise<boolean> {
  const enc = new TextEncoder()
  const [x, y] = [enc.encode(a), enc.encode(b)]
  // Lengths may leak; contents may not.
  return x.byteLength === y.byteLength && crypto.subtle.timingSafeEqual(x, y)
}

/** POST /tokens — mint a signed join token. Only the ADMIN_TOKEN holder (the organisation's backend) may. */
export async function mintToken(req: Request, env: Env): Promise<Response> {
  const presented = bearer(req)
  if (!presented || !(await sameSecret(presented, requireSecret(env, 'ADMIN_TOKEN')))) return unauthorized()
  let body: unknown
  try {
    body = await req.json()
  } catch {
    return fail(400, 'invalid', 'The body must be JSON.')
  }
  const parsed = MintRequest.safeParse(body)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    return fail(400, 'invalid', `${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'invalid'}`)
  }
  const { room, name, role, ttlSeconds, ai } = parsed.data
  const exp = Math.floor(Date.now() / 1000) + ttlSeconds
  const token = await signJoinToken(requireSecret(env, 'JOIN_TOKEN_SECRET'), {
    v: 1,
    room,
    name,
    role,
    exp,
    ...(ai !== undefined ? { ai } : {}),
  })
  return json(200, { token, expiresAt: exp * 1000 })
}
