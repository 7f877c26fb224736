import { ConfigError, type Env } from '../env'
import { CALLS_PREFIX, proxyCalls } from './calls'
import { fail, json, workerLog } from './http'
import { parseRoom, roomData, roomInfo, roomSocket } from './rooms'
import { mintToken } from './tokens'

const ROOM_PATH = /^\/rooms\/([^/]+)(?:\/(socket|export|import))?$/

/** Map a request to its route. Every failure is a JSON `{ error, message }`. */
export async function route(req: Request, env: Env): Promise<Response> {
  const url = new URL(req.url)
  try {
    if (url.pathname === '/healthz') return json(200, { ok: true })
    if (url.pathname === '/tokens') {
      return req.method === 'POST' ? await mintToken(req, env) : fail(405, 'method_not_allowed', 'Use POST.')
    }
    if (url.pathname.startsWith(CALLS_PREFIX)) {
      return await proxyCalls(req, env, url.pathname.slice(CALLS_PREFIX.length))
    }
    const match = ROOM_PATH.exec(url.pathname)
    if (match) {
      const room = parseRoom(match[1]!)
      if (!room) return fail(404, 'not_found', 'Room names use letters, digits, "-" and "_" (at most 64).')
      const sub = match[2]
      if (sub === 'socket') return await roomSocket(req, env, room)
      if (sub === 'export' || sub === 'import') return await roomData(req, env, room, sub)
      return req.method === 'GET'
        ? await roomInfo(req, env, room)
        : fail(405, 'method_not_allowed', 'Use GET.')
    }
    return fail(404, 'not_found', 'No such route.')
  } catch (error) {
    if (error instanceof ConfigError) {
      workerLog.error('worker misconfigured', { message: error.message })
      return fail(500, 'misconfigured', 'The Convene server is not fully configured; tell its operator.')
    }
    workerLog.error('request failed', { path: url.pathname, error: String(error) })
    return fail(500, 'internal', 'Something went wrong in the Convene server. Try again.')
  }
}
