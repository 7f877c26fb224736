import { timingSafeEqual } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { z } from 'zod'
import {
  CloseDataChannelsRequest,
  CloseTracksRequest,
  DataChannelsRequest,
  EstablishDataChannelsTransportRequest,
  NewSessionRequest,
  RenegotiateRequest,
  SessionId,
  TracksRequest,
  UpdateTracksRequest,
} from '../../shared/calls/schemas'
import type { Logger } from '../../shared/log/logger'
import { TokenBucket } from '../../shared/util/tokenBucket'
import { CallsApiError } from './errors'
import type { Session } from './Session'
import type { Sfu } from './Sfu'

/** Request bodies above this are refused (the largest valid one, an SDP, is capped at 512 KiB). */
export const MAX_BODY_BYTES = 1024 * 1024

export interface HttpApiOptions {
  readonly sfu: Sfu
  /** `local` unless configured: the base path is `/v1/apps/<appId>`. */
  readonly appId: string
  readonly token: string
  readonly log: Logger
  /** Browser origins allowed to call the API directly (test pages); none by default. */
  readonly corsOrigins: readonly string[]
}

type Reply = { status: number; body: unknown }
type Handler = (session: Session, body: unknown) => Promise<unknown>

/** The per-session operations: path after `sessions/<id>`, method, handler. */
const SESSION_ROUTES: Record<string, Partial<Record<string, Handler>>> = {
  'tracks/new': { POST: (s, b) => s.run(() => s.addTracks(TracksRequest.parse(b))) },
  renegotiate: {
    PUT: (s, b) => s.run(() => s.renegotiate(RenegotiateRequest.parse(b).sessionDescription)),
  },
  'tracks/close': { PUT: (s, b) => s.run(() => s.closeTracks(CloseTracksRequest.parse(b))) },
  'tracks/update': { PUT: (s, b) => s.run(() => s.updateTracks(UpdateTracksRequest.parse(b))) },
  'datachannels/establish': {
    POST: (s, b) => s.run(() => s.dataChannels.establish(EstablishDataChannelsTransportRequest.parse(b))),
  },
  'datachannels/new': { POST: (s, b) => s.run(() => s.dataChannels.open(DataChannelsRequest.parse(b))) },
  'datachannels/update': {
    PUT: (s, b) =>
      s.run(async () => ({ dataChannels: s.dataChannels.update(DataChannelsRequest.parse(b).dataChannels) })),
  },
  'datachannels/close': {
    PUT: (s, b) =>
      s.run(async () => ({
        dataChannels: s.dataChannels.close(CloseDataChannelsRequest.parse(b).dataChannels),
      })),
  },
  '': {
    GET: async (s) => s.state(),
    // Not in Calls (sessions end by timeout there): lets tests and the leak benchmark end a session now.
    DELETE: async (s) => {
      s.close('deleted by the client')
      return {}
    },
  },
}

/**
 * The Calls-shaped HTTP API over an `Sfu`: bearer auth, body limits, zod-validated bodies, errors in the Calls
 * shape (`{errorCode, errorDescription}` with the Calls status codes), and Calls' 50 requests/s per session.
 */
export function createHttpApi(options: HttpApiOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const { sfu, log } = options
  const base = `/v1/apps/${options.appId}/`
  const token = Buffer.from(options.token)
  const buckets = new WeakMap<Session, TokenBucket>()

  const authorized = (req: IncomingMessage): boolean => {
    const header = req.headers.authorization ?? ''
    const presented = Buffer.from(header.startsWith('Bearer ') ? header.slice(7) : '')
    return presented.length === token.length && timingSafeEqual(presented, token)
  }

  const limit = (session: Session): void => {
    let bucket = buckets.get(session)
    if (!bucket) buckets.set(session, (bucket = new TokenBucket(50, 50)))
    if (!bucket.take()) throw CallsApiError.rateLimited()
  }

  const route = async (req: IncomingMessage, url: URL): Promise<Reply> => {
    const method = req.method ?? 'GET'
    if (url.pathname === '/debug/stats' && method === 'GET') {
      return { status: 200, body: { ...sfu.stats(), heapUsed: process.memoryUsage().heapUsed } }
    }
    // Leak measurements: a full GC first, when the process runs with --expose-gc.
    if (url.pathname === '/debug/gc' && method === 'POST') {
      const gc = (globalThis as { gc?: () => void }).gc
      if (!gc) throw CallsApiError.notFound('GC (start the SFU with --expose-gc)')
      gc()
      gc()
      return { status: 200, body: { heapUsed: process.memoryUsage().heapUsed } }
    }
    if (!url.pathname.startsWith('/v1/apps/')) throw CallsApiError.notFound(`Path ${url.pathname}`)
    if (!url.pathname.startsWith(base)) throw CallsApiError.notFound('This app')
    const rest = url.pathname.slice(base.length)
    if (rest === 'sessions/new' && method === 'POST') {
      const body = NewSessionRequest.parse(await readJson(req, true))
      const session = sfu.createSession()
      if (!body.sessionDescription) return { status: 201, body: { sessionId: session.id } }
      const offer = body.sessionDescription
      const answer = await session.run(() => session.start(offer))
      return { status: 201, body: { sessionId: session.id, sessionDescription: answer } }
    }
    const match = /^sessions\/([^/]+)(?:\/(.*))?$/.exec(rest)
    const id = SessionId.safeParse(match?.[1])
    if (!match || !id.success) throw CallsApiError.notFound(`Path ${url.pathname}`)
    const handler = SESSION_ROUTES[match[2] ?? '']?.[method]
    if (!handler) throw CallsApiError.notFound(`${method} ${url.pathname}`)
    const session = sfu.session(id.data)
    limit(session)
    const body = method === 'GET' || method === 'DELETE' ? undefined : await readJson(req, false)
    return { status: 200, body: await handler(session, body) }
  }

  return (req, res) => {
    const origin = req.headers.origin
    if (origin && options.corsOrigins.includes(origin)) {
      res.setHeader('Access-Control-Allow-Origin', origin)
      res.setHeader('Vary', 'Origin')
    }
    if (req.method === 'OPTIONS') {
      res.setHeader('Access-Control-Allow-Methods', 'GET, POST, PUT, DELETE')
      res.setHeader('Access-Control-Allow-Headers', 'authorization, content-type')
      res.setHeader('Access-Control-Max-Age', '600')
      res.writeHead(204).end()
      return
    }
    const url = new URL(req.url ?? '/', 'http://sfu.invalid')
    if (url.pathname === '/healthz') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok')
      return
    }
    const send = ({ status, body }: Reply): void => {
      if (res.headersSent) return
      res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' })
      res.end(JSON.stringify(body))
    }
    if (!authorized(req)) {
      req.resume()
      send({ status: 401, body: CallsApiError.unauthorized().toBody() })
      return
    }
    route(req, url).then(send, (error: unknown) => {
      const failure = toCallsError(error)
      if (failure.status >= 500)
        log.error('SFU API request failed', { path: url.pathname, error: String(error) })
      else log.debug('SFU API request refused', { path: url.pathname, code: failure.errorCode })
      send({ status: failure.status, body: failure.toBody() })
    })
  }
}

function toCallsError(error: unknown): CallsApiError {
  if (error instanceof CallsApiError) return error
  if (error instanceof z.ZodError) {
    const detail = error.issues
      .slice(0, 5)
      .map((i) => `${i.path.join('.') || 'body'}: ${i.message}`)
      .join('; ')
    return CallsApiError.decoding(detail)
  }
  return CallsApiError.internal()
}

async function readJson(req: IncomingMessage, emptyIsObject: boolean): Promise<unknown> {
  // Events rather than `for await`: leaving an async iterator early destroys the socket, and the 413 reply with it.
  const text = await new Promise<string>((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    req.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size <= MAX_BODY_BYTES) chunks.push(chunk)
    })
    req.on('end', () => {
      if (size > MAX_BODY_BYTES) reject(CallsApiError.payloadTooLarge(MAX_BODY_BYTES))
      else resolve(Buffer.concat(chunks).toString('utf8').trim())
    })
    req.on('error', reject)
  })
  if (text.length === 0) {
    if (emptyIsObject) return {}
    throw CallsApiError.decoding('the body is empty')
  }
  try {
    return JSON.parse(text) as unknown
  } catch {
    throw CallsApiError.decoding('the body is not JSON')
  }
}
