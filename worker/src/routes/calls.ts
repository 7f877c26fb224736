import { callsUpstream, type Env } from '../env'
import { fail, joinClaims, unauthorized, workerLog } from './http'

export const CALLS_PREFIX = '/calls/v1/apps/convene/'

/** Paths the Calls API has (sessions/…, tracks/…, turn/…): letters, digits, `-`, `_`, `/`; no `..`. */
const REST = /^[A-Za-z0-9_\-/]{1,512}$/

/** Request headers passed upstream; everything else (cookies, the caller's Authorization) stays here. */
const FORWARDED = ['content-type', 'accept']

/**
 * `<worker>/calls/v1/apps/convene/<rest>` → `<CALLS_API_BASE>/apps/<CALLS_APP_ID>/<rest>`, with the app secret
 * as bearer. The caller proves membership with any valid join token; the app secret never leaves the Worker.
 */
export async function proxyCalls(req: Request, env: Env, rest: string): Promise<Response> {
  if (!REST.test(rest) || rest.split('/').some((part) => part === '.' || part === '..')) {
    return fail(404, 'not_found', 'No such Calls API path.')
  }
  if (!(await joinClaims(req, env))) return unauthorized()
  const { base, appId, secret } = callsUpstream(env)
  const url = new URL(req.url)
  const headers = new Headers({ authorization: `Bearer ${secret}` })
  for (const name of FORWARDED) {
    const value = req.headers.get(name)
    if (value !== null) headers.set(name, value)
  }
  const method = req.method.toUpperCase()
  const hasBody = method !== 'GET' && method !== 'HEAD'
  let upstream: Response
  try {
    upstream = await fetch(`${base}/apps/${appId}/${rest}${url.search}`, {
      method,
      headers,
      ...(hasBody ? { body: await req.arrayBuffer() } : {}),
    })
  } catch (error) {
    workerLog.warn('calls upstream unreachable', { error: String(error) })
    return fail(502, 'upstream_unreachable', 'The Calls service could not be reached. Try again.')
  }
  // Pass status and body through unchanged: the client handles Calls errors exactly as with Cloudflare direct.
  const out = new Headers()
  const type = upstream.headers.get('content-type')
  if (type) out.set('content-type', type)
  out.set('cache-control', 'no-store')
  return new Response(upstream.body, { status: upstream.status, headers: out })
}
