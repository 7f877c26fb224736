import { RoomName } from '../../../shared/room/protocol'
import type { Env } from '../env'
import { fail, joinClaims, json, unauthorized } from './http'

/** The header the router uses to tell a room object its own name (a DO does not know it otherwise). */
export const ROOM_HEADER = 'x-convene-room'

export function parseRoom(raw: string): string | null {
  let decoded: string
  try {
    decoded = decodeURIComponent(raw)
  } catch {
    return null
  }
  const parsed = RoomName.safeParse(decoded)
  return parsed.success ? parsed.data : null
}

const stubFor = (env: Env, room: string) => env.ROOMS.get(env.ROOMS.idFromName(room))

/** GET /rooms/:room/socket (WebSocket upgrade). The join token is checked by the room on `join`. */
export function roomSocket(req: Request, env: Env, room: string): Promise<Response> | Response {
  if (req.headers.get('upgrade')?.toLowerCase() !== 'websocket') {
    return fail(426, 'upgrade_required', 'This endpoint speaks WebSocket only.')
  }
  const headers = new Headers(req.headers)
  headers.set(ROOM_HEADER, room)
  return stubFor(env, room).fetch(new Request(req.url, { method: 'GET', headers }))
}

/** GET /rooms/:room — who is in, flags, version. Needs a token for this room. */
export async function roomInfo(req: Request, env: Env, room: string): Promise<Response> {
  if (!(await joinClaims(req, env, room))) return unauthorized()
  return json(200, await stubFor(env, room).info(room))
}

/** GET /rooms/:room/export and POST /rooms/:room/import — hosts only. */
export async function roomData(
  req: Request,
  env: Env,
  room: string,
  op: 'export' | 'import',
): Promise<Response> {
  const claims = await joinClaims(req, env, room)
  if (!claims) return unauthorized()
  if (claims.role !== 'host') return fail(403, 'forbidden', 'Only a host can export or import a room.')
  const stub = stubFor(env, room)
  if (op === 'export') {
    if (req.method !== 'GET') return fail(405, 'method_not_allowed', 'Use GET.')
    return json(200, await stub.exportData(room))
  }
  if (req.method !== 'POST') return fail(405, 'method_not_allowed', 'Use POST.')
  const text = await req.text()
  if (text.length > 4 * 1024 * 1024) return fail(413, 'too_large', 'Room exports are at most 4 MB.')
  let data: unknown
  try {
    data = JSON.parse(text)
  } catch {
    return fail(400, 'invalid', 'The body must be JSON.')
  }
  const result = await stub.importData(room, data)
  return result.ok
    ? json(200, { ok: true })
    : fail(result.reason === 'occupied' ? 409 : 400, result.reason, result.message)
}
