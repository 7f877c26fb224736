import { randomBytes, timingSafeEqual } from 'node:crypto'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { networkInterfaces } from 'node:os'
import sirv from 'sirv'
import { WebSocketServer, type WebSocket } from 'ws'
import type { Services } from '../../electron/main/app/services'
import { contentSecurityPolicy } from '../../electron/main/security/csp'
import { RPC_MAX_FRAME, RPC_PATH, RpcCall } from '../../shared/ipc/wire'
import { RECORDING_STREAM_PATH } from '../../shared/recording/stream'
import { createRecordingWebRoutes } from './recordingRoutes'

export interface WebHostOptions {
  readonly services: Services
  /** The built renderer (`out/renderer`). */
  readonly rendererDir: string
  /** 127.0.0.1 unless the user asks for LAN. */
  readonly host?: string
  /** 0 picks a free port. */
  readonly port?: number
  /** Per-launch secret that every socket must present; random when omitted. */
  readonly token?: string
}

export interface WebHost {
  /** Open this in a browser: it carries the token in the fragment, which never reaches a server log. */
  readonly url: string
  readonly origin: string
  readonly token: string
  close(): Promise<void>
}

/**
 * Web mode: serves the built renderer and runs the main-process handlers over a WebSocket, so the same UI works in
 * a plain browser. Only sockets that present the launch token from a page of our own origin may call.
 */
export async function startWebHost(options: WebHostOptions): Promise<WebHost> {
  const { services } = options
  const log = services.log.child('web')
  const token = options.token ?? randomBytes(24).toString('base64url')
  const tokenBytes = Buffer.from(token)
  const host = options.host ?? '127.0.0.1'

  const security = (res: ServerResponse): void => {
    res.setHeader('Content-Security-Policy', contentSecurityPolicy())
    res.setHeader('X-Content-Type-Options', 'nosniff')
    res.setHeader('Referrer-Policy', 'no-referrer')
    res.setHeader('Cross-Origin-Opener-Policy', 'same-origin')
    res.setHeader(
      'Permissions-Policy',
      'camera=(self), microphone=(self), display-capture=(self), geolocation=()',
    )
  }
  const assets = sirv(options.rendererDir, { single: true, dev: false, etag: true, gzip: false })
  const recordingRoutes = createRecordingWebRoutes({ services, token, log: log.child('recording') })
  // Filled in once the port is known. Requests naming another Host are refused (DNS rebinding).
  let allowedHosts: ReadonlySet<string> = new Set()
  const server: Server = createServer((req, res) => {
    security(res)
    if (!allowedHosts.has(req.headers.host ?? '')) {
      res.writeHead(421, { 'content-type': 'text/plain' }).end('Misdirected request')
      return
    }
    if (req.url === '/healthz') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok')
      return
    }
    if (recordingRoutes.handleRequest(req, res)) return
    assets(req, res, () => void res.writeHead(404).end('Not found'))
  })

  let nextSocket = 0
  const wss = new WebSocketServer({ noServer: true, maxPayload: RPC_MAX_FRAME })
  server.on('upgrade', (req, socket, head) => {
    const verdict = checkUpgrade(req, tokenBytes, allowedHosts)
    if (verdict !== 'ok') {
      log.warn('refused a web-mode socket', { reason: verdict })
      const status =
        verdict === 'token' ? '401 Unauthorized' : verdict === 'path' ? '404 Not Found' : '403 Forbidden'
      socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\n\r\n`)
      return
    }
    if (new URL(req.url ?? '/', 'http://host.invalid').pathname === RECORDING_STREAM_PATH) {
      recordingRoutes.handleUpgrade(req, socket, head)
      return
    }
    wss.handleUpgrade(req, socket, head, (ws) => serveSocket(ws, `ws:${++nextSocket}`))
  })

  const serveSocket = (ws: WebSocket, senderId: string): void => {
    const detach = services.events.attach((channel, payload) => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ t: 'event', channel, payload }))
    })
    ws.on('message', (data, isBinary) => {
      let frame: unknown
      try {
        frame = isBinary ? undefined : JSON.parse(data.toString())
      } catch {
        frame = undefined
      }
      const call = RpcCall.safeParse(frame)
      if (!call.success) {
        // No id to answer to: tell the client its frame was unusable, keep the socket.
        ws.send(JSON.stringify({ t: 'event', channel: 'rpc:badFrame', payload: null }))
        return
      }
      const { id, channel, payload } = call.data
      void services.router.dispatch(channel, payload, { senderId, trusted: true }).then((result) => {
        if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ t: 'reply', id, result }))
      })
    })
    ws.on('close', () => {
      detach()
      services.router.release(senderId)
    })
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, host, () => resolve())
  })
  const { port } = server.address() as AddressInfo
  allowedHosts = hostNames(host, port)
  const origin = `http://${host.includes(':') ? `[${host}]` : host}:${port}`
  recordingRoutes.setOrigin(origin)
  log.info('web host listening', { origin })
  return {
    url: `${origin}/#token=${token}`,
    origin,
    token,
    close: async () => {
      await recordingRoutes.close()
      for (const client of wss.clients) client.terminate()
      wss.close()
      await new Promise<void>((resolve) => server.close(() => resolve()))
      server.closeAllConnections()
    },
  }
}

/** `host:port` values a browser may send for us: the bound address, plus loopback aliases or LAN addresses. */
function hostNames(bound: string, port: number): ReadonlySet<string> {
  const names = new Set<string>()
  const add = (h: string): void => void names.add(`${h.includes(':') ? `[${h}]` : h}:${port}`)
  add(bound)
  if (bound === '127.0.0.1' || bound === '::1' || bound === 'localhost') {
    for (const h of ['127.0.0.1', 'localhost', '::1']) add(h)
  }
  if (bound === '0.0.0.0' || bound === '::') {
    add('localhost')
    for (const list of Object.values(networkInterfaces())) for (const a of list ?? []) add(a.address)
  }
  return names
}

/**
 * The socket must name one of our hosts, carry the launch token and, when a browser sends an Origin, come from a
 * page of ours: a page elsewhere cannot drive the host even if it learned the token.
 */
function checkUpgrade(
  req: IncomingMessage,
  token: Buffer,
  hosts: ReadonlySet<string>,
): 'ok' | 'path' | 'token' | 'origin' | 'host' {
  if (!hosts.has(req.headers.host ?? '')) return 'host'
  const url = new URL(req.url ?? '/', 'http://host.invalid')
  if (url.pathname !== RPC_PATH && url.pathname !== RECORDING_STREAM_PATH) return 'path'
  const given = Buffer.from(url.searchParams.get('token') ?? '')
  if (given.length !== token.length || !timingSafeEqual(given, token)) return 'token'
  const origin = req.headers.origin
  if (origin !== undefined && !hosts.has(origin.replace(/^http:\/\//, ''))) return 'origin'
  return 'ok'
}
