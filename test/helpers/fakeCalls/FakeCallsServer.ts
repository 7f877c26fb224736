import { randomBytes } from 'node:crypto'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { FakeAdaptersAndTurn } from './FakeAdaptersAndTurn'
import { FakeCallsState, type FakeReply } from './FakeCallsState'

/** The operation names the client uses, so faults and assertions speak the same language. */
export type FakeOperation =
  | 'sessions/new'
  | 'sessions/get'
  | 'tracks/new'
  | 'renegotiate'
  | 'tracks/close'
  | 'tracks/update'
  | 'datachannels/establish'
  | 'datachannels/new'
  | 'datachannels/update'
  | 'datachannels/close'
  | 'adapters/websocket/new'
  | 'adapters/websocket/close'
  | 'turn/generate'
  | 'turn/revoke'

/** What the next matching request gets instead of (or before) normal handling. */
export type Fault =
  /** A raw reply: `json` is serialised, `text` sent as is (malformed bodies). */
  | { kind: 'reply'; status: number; json?: unknown; text?: string; headers?: Record<string, string> }
  /** Never answer (until the server closes). */
  | { kind: 'hang' }
  /** Destroy the connection. `receive`: before acting on the request; `process`: after acting (reply lost). */
  | { kind: 'reset'; after?: 'receive' | 'process' }
  /** Wait, then handle normally (to make requests overlap). */
  | { kind: 'delay'; ms: number }

export interface FaultMatch {
  readonly operation?: FakeOperation
  readonly sessionId?: string
}

export interface RecordedRequest {
  readonly operation: FakeOperation | 'unknown'
  readonly method: string
  readonly path: string
  readonly query: string
  readonly sessionId?: string
  readonly authorization?: string
  readonly body?: unknown
}

export interface FakeCallsOptions {
  /** 32 hex characters, like a Cloudflare Calls app id (Settings validates that format). */
  readonly appId?: string
  readonly token?: string
  readonly turnKeyId?: string
  readonly turnToken?: string
}

const SESSION_MUTATIONS = new Set<FakeOperation>([
  'tracks/new',
  'renegotiate',
  'tracks/close',
  'tracks/update',
  'datachannels/establish',
  'datachannels/new',
  'datachannels/update',
  'datachannels/close',
])

/**
 * A local stand-in for the Calls and TURN HTTP APIs on 127.0.0.1, with faults on demand. It records every
 * request (with its Authorization header, so tests can prove the credential was sent) and the most state
 * changes it ever saw in flight at once per session (to prove the client serialises them).
 */
export class FakeCallsServer {
  readonly state = new FakeCallsState()
  readonly extras = new FakeAdaptersAndTurn(this.state)
  readonly requests: RecordedRequest[] = []
  /** Highest number of concurrent state-changing requests seen per session. */
  readonly maxInFlight = new Map<string, number>()
  readonly appId: string
  readonly token: string
  readonly turnKeyId: string
  readonly turnToken: string
  private readonly inFlight = new Map<string, number>()
  private readonly faults: Array<{ fault: Fault; match: FaultMatch; remaining: number }> = []
  private readonly sockets = new Set<Socket>()
  private port = 0

  private constructor(
    private readonly server: Server,
    options: FakeCallsOptions,
  ) {
    this.appId = options.appId ?? randomBytes(16).toString('hex')
    this.token = options.token ?? randomBytes(32).toString('base64url')
    this.turnKeyId = options.turnKeyId ?? randomBytes(16).toString('hex')
    this.turnToken = options.turnToken ?? randomBytes(32).toString('base64url')
    server.on('connection', (socket) => {
      this.sockets.add(socket)
      socket.on('close', () => this.sockets.delete(socket))
    })
  }

  static async start(options: FakeCallsOptions = {}): Promise<FakeCallsServer> {
    const server = createServer()
    const fake = new FakeCallsServer(server, options)
    server.on('request', (req: IncomingMessage, res: ServerResponse) => void fake.handle(req, res))
    await fake.listen(0)
    return fake
  }

  get origin(): string {
    return `http://127.0.0.1:${this.port}`
  }
  /** What a client uses as the Calls base URL. */
  get callsBaseUrl(): string {
    return `${this.origin}/v1/apps/${this.appId}`
  }
  get turnBaseUrl(): string {
    return `${this.origin}/v1/turn/keys/${this.turnKeyId}`
  }

  /** The next `times` requests matching `match` get `fault`. */
  inject(fault: Fault, match: FaultMatch = {}, times = 1): void {
    this.faults.push({ fault, match, remaining: times })
  }

  clearFaults(): void {
    this.faults.length = 0
  }

  count(operation: FakeOperation): number {
    return this.requests.filter((r) => r.operation === operation).length
  }

  get listening(): boolean {
    return this.server.listening
  }

  /**
   * Stop accepting connections (clients get ECONNREFUSED) and drop the open ones; `acceptConnections` undoes it.
   * Resolves after a short pause so the client's pool has seen its keep-alive sockets close: otherwise its next
   * request may go out on a dead socket and fail as "other side closed" (sent, maybe applied) instead.
   */
  async refuseConnections(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve())
      this.dropConnections()
    })
    await new Promise((resolve) => setTimeout(resolve, 30))
  }

  acceptConnections(): Promise<void> {
    return this.listen(this.port)
  }

  async close(): Promise<void> {
    if (!this.server.listening) return this.dropConnections()
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve())
      this.dropConnections()
    })
  }

  private dropConnections(): void {
    for (const socket of this.sockets) socket.destroy()
  }

  private listen(port: number): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject)
      this.server.listen(port, '127.0.0.1', () => {
        this.server.off('error', reject)
        this.port = (this.server.address() as AddressInfo).port
        resolve()
      })
    })
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1')
    const route = this.route(req.method ?? 'GET', url.pathname)
    const raw = await readBody(req)
    let body: unknown
    try {
      body = raw === '' ? undefined : (JSON.parse(raw) as unknown)
    } catch {
      body = raw
    }
    this.requests.push({
      operation: route?.operation ?? 'unknown',
      method: req.method ?? '',
      path: url.pathname,
      query: url.search,
      ...(route?.sessionId ? { sessionId: route.sessionId } : {}),
      ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}),
      ...(body !== undefined ? { body } : {}),
    })
    const fault = route ? this.takeFault(route.operation, route.sessionId) : undefined
    if (fault?.kind === 'hang') return
    if (fault?.kind === 'reset' && fault.after !== 'process') return void req.socket.destroy()
    if (fault?.kind === 'reply') {
      res.writeHead(fault.status, { 'content-type': 'application/json', vary: 'Origin', ...fault.headers })
      return void res.end(fault.text ?? (fault.json === undefined ? '' : JSON.stringify(fault.json)))
    }
    const key = route?.sessionId && SESSION_MUTATIONS.has(route.operation) ? route.sessionId : undefined
    if (key) this.enter(key)
    try {
      if (fault?.kind === 'delay') await new Promise((r) => setTimeout(r, fault.ms))
      const reply = this.dispatch(route, req.headers.authorization, raw, body, url)
      if (fault?.kind === 'reset') return void req.socket.destroy()
      send(res, reply)
    } finally {
      if (key) this.inFlight.set(key, (this.inFlight.get(key) ?? 1) - 1)
    }
  }

  private enter(sessionId: string): void {
    const now = (this.inFlight.get(sessionId) ?? 0) + 1
    this.inFlight.set(sessionId, now)
    this.maxInFlight.set(sessionId, Math.max(now, this.maxInFlight.get(sessionId) ?? 0))
  }

  private takeFault(operation: FakeOperation, sessionId: string | undefined): Fault | undefined {
    const entry = this.faults.find(
      (f) =>
        f.remaining > 0 &&
        (f.match.operation === undefined || f.match.operation === operation) &&
        (f.match.sessionId === undefined || f.match.sessionId === sessionId),
    )
    if (!entry) return undefined
    entry.remaining -= 1
    if (entry.remaining === 0) this.faults.splice(this.faults.indexOf(entry), 1)
    return entry.fault
  }

  private route(
    method: string,
    path: string,
  ):
    | { operation: FakeOperation; appId?: string; sessionId?: string; keyId?: string; username?: string }
    | undefined {
    const turn = /^\/v1\/turn\/keys\/([^/]+)\/credentials\/(?:(generate-ice-servers)|([^/]+)\/revoke)$/.exec(
      path,
    )
    if (turn && method === 'POST') {
      return turn[2]
        ? { operation: 'turn/generate', keyId: turn[1]! }
        : { operation: 'turn/revoke', keyId: turn[1]!, username: decodeURIComponent(turn[3]!) }
    }
    const m = /^\/v1\/apps\/([^/]+)\/(.*)$/.exec(path)
    if (!m) return undefined
    const appId = m[1]!
    const rest = m[2]!
    if (rest === 'sessions/new' && method === 'POST') return { operation: 'sessions/new', appId }
    if (rest === 'adapters/websocket/new' && method === 'POST')
      return { operation: 'adapters/websocket/new', appId }
    if (rest === 'adapters/websocket/close' && method === 'POST')
      return { operation: 'adapters/websocket/close', appId }
    const s = /^sessions\/([^/]+)(\/.*)?$/.exec(rest)
    if (!s) return undefined
    const sessionId = decodeURIComponent(s[1]!)
    const table: Record<string, [string, FakeOperation]> = {
      '': ['GET', 'sessions/get'],
      '/tracks/new': ['POST', 'tracks/new'],
      '/renegotiate': ['PUT', 'renegotiate'],
      '/tracks/close': ['PUT', 'tracks/close'],
      '/tracks/update': ['PUT', 'tracks/update'],
      '/datachannels/establish': ['POST', 'datachannels/establish'],
      '/datachannels/new': ['POST', 'datachannels/new'],
      '/datachannels/update': ['PUT', 'datachannels/update'],
      '/datachannels/close': ['PUT', 'datachannels/close'],
    }
    const entry = table[s[2] ?? '']
    return entry && entry[0] === method ? { operation: entry[1], appId, sessionId } : undefined
  }

  private dispatch(
    route: ReturnType<FakeCallsServer['route']>,
    authorization: string | undefined,
    raw: string,
    body: unknown,
    url: URL,
  ): FakeReply {
    if (!route) return { status: 404, body: { errorCode: 'not_found', errorDescription: 'No such endpoint' } }
    const isTurn = route.operation.startsWith('turn/')
    const expected = `Bearer ${isTurn ? this.turnToken : this.token}`
    if (authorization !== expected) {
      return {
        status: 401,
        body: { errorCode: 'unauthorized', errorDescription: 'Invalid or missing bearer token' },
      }
    }
    if (isTurn ? route.keyId !== this.turnKeyId : route.appId !== this.appId) {
      return { status: 404, body: { errorCode: 'not_found', errorDescription: 'App not found' } }
    }
    if (raw !== '' && typeof body === 'string') {
      return {
        status: 400,
        body: { errorCode: 'decoding_error', errorDescription: 'The request could not be decoded.' },
      }
    }
    const json = (body !== null && typeof body === 'object' ? body : {}) as Record<string, unknown>
    const { state } = this
    switch (route.operation) {
      case 'sessions/new':
        return state.newSession(url.searchParams, body)
      case 'adapters/websocket/new':
        return this.extras.adaptersNew(json)
      case 'adapters/websocket/close':
        return this.extras.adaptersClose(json)
      case 'turn/generate':
        return this.extras.turnGenerate(json, 'turn.cloudflare.com')
      case 'turn/revoke':
        return this.extras.turnRevoke(route.username ?? '')
      default:
        break
    }
    const session = state.session(route.sessionId ?? '')
    if ('status' in session) return session
    switch (route.operation) {
      case 'sessions/get':
        return state.getSession(session)
      case 'tracks/new':
        return state.tracksNew(session, json)
      case 'renegotiate':
        return state.renegotiate(session, json)
      case 'tracks/close':
        return state.tracksClose(session, json)
      case 'tracks/update':
        return state.tracksUpdate(session, json)
      case 'datachannels/establish':
        return state.establish(session, json)
      case 'datachannels/new':
        return state.dataChannels(session, json, 'new')
      case 'datachannels/update':
        return state.dataChannels(session, json, 'update')
      case 'datachannels/close':
        return state.dataChannels(session, json, 'close')
      default:
        return { status: 404, body: { errorCode: 'not_found', errorDescription: 'No such endpoint' } }
    }
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    req.on('error', () => resolve(''))
  })
}

function send(res: ServerResponse, reply: FakeReply): void {
  if (reply.body === undefined) {
    res.writeHead(reply.status, { vary: 'Origin' })
    return void res.end()
  }
  res.writeHead(reply.status, { 'content-type': 'application/json', vary: 'Origin' })
  res.end(JSON.stringify(reply.body))
}
