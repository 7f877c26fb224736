import { consoleSink, createLogger, type Logger } from '../../../shared/log/logger'
import { Redactor } from '../../../shared/log/redact'
import { verifyJoinToken, type JoinClaims } from '../../../shared/room/token'
import { requireSecret, type Env } from '../env'

/** One logger for the Worker isolate; warnings and errors reach `wrangler tail`, secrets redacted. */
export const workerLog: Logger = createLogger('worker', [consoleSink('warn')], new Redactor())

export function json(status: number, body: unknown, headers: HeadersInit = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers },
  })
}

export function fail(status: number, error: string, message: string): Response {
  return json(status, { error, message })
}

export function bearer(req: Request): string | null {
  return /^Bearer\s+(\S+)$/i.exec(req.headers.get('authorization') ?? '')?.[1] ?? null
}

/**
 * The caller's join token claims, when it presents a valid one (for `room`, if given). Tokens are the only
 * credential a Convene user holds; the Calls secret never leaves the Worker.
 */
export async function joinClaims(req: Request, env: Env, room?: string): Promise<JoinClaims | null> {
  const token = bearer(req)
  if (!token) return null
  const check = await verifyJoinToken(requireSecret(env, 'JOIN_TOKEN_SECRET'), token, {
    now: Date.now(),
    ...(room !== undefined ? { room } : {}),
  })
  return check.ok ? check.claims : null
}

export const unauthorized = (): Response =>
  fail(401, 'unauthorized', 'Send a valid Convene token as "Authorization: Bearer <token>".')
