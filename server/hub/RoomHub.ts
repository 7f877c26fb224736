import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { WebSocketServer, type RawData, type WebSocket } from 'ws'
import type { Logger } from '../../shared/log/logger'
import { joinVerifier, randomId, RoomEngine, type RoomInfo } from '../../shared/room/engine'
import { MemoryRoomStore } from '../../shared/room/memoryStore'
import type { RoomStore } from '../../shared/room/persist'
import { CLOSE_CODES, RoomName, ROOM_LIMITS } from '../../shared/room/protocol'
import { DEFAULT_ROOM_CONFIG, type RoomConfig } from '../../shared/room/state'
import { verifyJoinToken } from '../../shared/room/token'
import { FileRoomStore } from './FileRoomStore'

/** The hub's time source; tests pass a manual clock and move it by hand. */
export interface HubClock {
  now(): number
  /** Run `fn` after `ms`; returns a canceller. */
  after(ms: number, fn: () => void): () => void
}

export const systemHubClock: HubClock = {
  now: () => Date.now(),
  after: (ms, fn) => {
    const t = setTimeout(fn, ms)
    return () => clearTimeout(t)
  },
}

export interface RoomHubOptions {
  readonly log: Logger
  /** 127.0.0.1 unless the user shares a meeting on the LAN. */
  readonly host?: string
  /** 0 picks a free port. */
  readonly port?: number
  /** HMAC secret for join tokens; null or absent runs open rooms (the local single-machine backend). */
  readonly tokenSecret?: string | null
  /** Directory for room journals; absent keeps rooms in memory (lost on restart). */
  readonly storageDir?: string
  readonly config?: Partial<RoomConfig>
  readonly clock?: HubClock
  /** A socket whose unsent backlog passes this many bytes is closed as a slow consumer. */
  readonly maxBufferedBytes?: number
}

export interface RoomHub {
  /** `http://host:port` */
  readonly origin: string
  readonly port: number
  /** `ws://host:port/rooms/<room>/socket` */
  socketUrl(room: string): string
  info(room: string): RoomInfo | null
  /** Run every room's due timers now (tests with a manual clock call this after `advance`). */
  tickAll(): void
  /** Graceful stop: every socket gets 1012 (service restart), so clients come back. */
  close(): Promise<void>
  /** Hard stop, as if the process died: sockets are destroyed without a close frame. */
  kill(): Promise<void>
}

interface Room {
  readonly engine: RoomEngine
  readonly sockets: Map<string, WebSocket>
  readonly cancel: () => void
}

const SOCKET_PATH = /^\/rooms\/([^/]+)\/socket$/
const INFO_PATH = /^\/rooms\/([^/]+)(\/export|\/import)?$/

/**
 * The embedded backend's room service: the room core over `ws`, one engine per room. Everything room-specific
 * happens in the engine; this file maps sockets, timers and files onto it.
 */
export async function startRoomHub(options: RoomHubOptions): Promise<RoomHub> {
  const log = options.log
  const clock = options.clock ?? systemHubClock
  const config: RoomConfig = { ...DEFAULT_ROOM_CONFIG, ...options.config }
  const secret = options.tokenSecret ?? null
  const maxBuffered = options.maxBufferedBytes ?? 4 * 1024 * 1024
  const rooms = new Map<string, Room>()

  const roomFor = (name: string): Room => {
    const existing = rooms.get(name)
    if (existing) return existing
    const store: RoomStore = options.storageDir
      ? new FileRoomStore(options.storageDir, name)
      : new MemoryRoomStore()
    const sockets = new Map<string, WebSocket>()
    let cancelTimer: (() => void) | null = null
    const engine: RoomEngine = new RoomEngine({
      room: name,
      config,
      store,
      now: () => clock.now(),
      verify: secret === null ? null : joinVerifier(secret, name, () => clock.now()),
      log: log.child('room'),
      transport: {
        send: (conn, text) => {
          const ws = sockets.get(conn)
          if (!ws || ws.readyState !== ws.OPEN) return
          if (ws.bufferedAmount > maxBuffered) {
            // One slow reader must not make the hub buffer without bound; it reconnects and resyncs.
            ws.close(CLOSE_CODES.slow_consumer, 'slow_consumer')
            return
          }
          ws.send(text)
        },
        close: (conn, code, reason) => sockets.get(conn)?.close(code, reason),
      },
      schedule: (at) => {
        cancelTimer?.()
        cancelTimer = at === null ? null : clock.after(Math.max(0, at - clock.now()), () => engine.tick())
      },
    })
    const room: Room = { engine, sockets, cancel: () => cancelTimer?.() }
    engine.restore(store.load(), [])
    rooms.set(name, room)
    return room
  }

  const server: Server = createServer((req, res) => {
    void handleHttp(req, res).catch((error: unknown) => {
      log.error('room hub request failed', { error: String(error) })
      if (!res.headersSent) json(res, 500, { error: 'internal' })
    })
  })

  const authorised = async (req: IncomingMessage, room: string, needHost: boolean): Promise<boolean> => {
    if (secret === null) return true
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1]
    if (!token) return false
    const check = await verifyJoinToken(secret, token, { now: clock.now(), room })
    return check.ok && (!needHost || check.claims.role === 'host')
  }

  async function handleHttp(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://hub')
    if (url.pathname === '/healthz') return json(res, 200, { ok: true })
    const match = INFO_PATH.exec(url.pathname)
    const name = match ? RoomName.safeParse(decodeURIComponent(match[1]!)) : null
    if (!match || !name?.success) return json(res, 404, { error: 'not_found' })
    const sub = match[2]
    if (!(await authorised(req, name.data, sub !== undefined)))
      return json(res, 401, { error: 'unauthorized' })
    const room = roomFor(name.data)
    if (sub === undefined && req.method === 'GET') return json(res, 200, room.engine.info())
    if (sub === '/export' && req.method === 'GET') return json(res, 200, room.engine.exportData())
    if (sub === '/import' && req.method === 'POST') {
      const body = await readBody(req, 4 * 1024 * 1024)
      let data: unknown
      try {
        data = JSON.parse(body)
      } catch {
        return json(res, 400, { error: 'invalid', message: 'The body is not JSON.' })
      }
      const result = room.engine.importData(data)
      return result.ok
        ? json(res, 200, { ok: true })
        : json(res, result.reason === 'occupied' ? 409 : 400, {
            error: result.reason,
            message: result.message,
          })
    }
    return json(res, 405, { error: 'method_not_allowed' })
  }

  const wss = new WebSocketServer({ noServer: true, maxPayload: ROOM_LIMITS.maxFrameBytes * 4 })
  server.on('upgrade', (req, socket, head) => {
    const match = SOCKET_PATH.exec(new URL(req.url ?? '/', 'http://hub').pathname)
    const name = match ? RoomName.safeParse(decodeURIComponent(match[1]!)) : null
    if (!name?.success) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n')
      return
    }
    wss.handleUpgrade(req, socket, head, (ws) => attach(name.data, roomFor(name.data), ws))
  })

  /** Drop a room with nobody in it and nothing pending (no retention timer), so the map does not grow forever. */
  const forgetIfIdle = (name: string, room: Room): void => {
    const s = room.engine.current
    const empty = Object.keys(s.participants).length === 0 && Object.keys(s.waiting).length === 0
    if (room.sockets.size === 0 && empty && s.emptySince === null && rooms.get(name) === room) {
      room.cancel()
      rooms.delete(name)
    }
  }

  const attach = (name: string, room: Room, ws: WebSocket): void => {
    const conn = randomId(9)
    room.sockets.set(conn, ws)
    room.engine.open(conn)
    ws.on('message', (data: RawData, isBinary: boolean) => {
      room.engine.frame(conn, isBinary ? new Uint8Array(toBuffer(data)) : toBuffer(data).toString('utf8'))
    })
    ws.on('close', () => {
      room.sockets.delete(conn)
      room.engine.closed(conn)
      forgetIfIdle(name, room)
    })
    // A socket error is followed by 'close'; without a listener it would throw.
    ws.on('error', (error) => log.debug('room socket error', { error: String(error) }))
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve())
  })
  const { port } = server.address() as AddressInfo
  const host = options.host ?? '127.0.0.1'
  const origin = `http://${host.includes(':') ? `[${host}]` : host}:${port}`
  log.info('room hub listening', {
    origin,
    tokens: secret !== null,
    persistent: options.storageDir !== undefined,
  })

  const stop = async (hard: boolean): Promise<void> => {
    for (const room of rooms.values()) {
      room.cancel()
      for (const ws of room.sockets.values()) {
        if (hard) ws.terminate()
        else ws.close(CLOSE_CODES.restart, 'restart')
      }
    }
    wss.close()
    server.closeAllConnections()
    await new Promise<void>((resolve) => server.close(() => resolve()))
  }

  return {
    origin,
    port,
    socketUrl: (room) => `ws://${origin.slice('http://'.length)}/rooms/${encodeURIComponent(room)}/socket`,
    info: (room) => rooms.get(room)?.engine.info() ?? null,
    tickAll: () => {
      for (const room of rooms.values()) room.engine.tick()
    },
    close: () => stop(false),
    kill: () => stop(true),
  }
}

function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data
  if (Array.isArray(data)) return Buffer.concat(data)
  return Buffer.from(data)
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' })
  res.end(JSON.stringify(body))
}

function readBody(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    req.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size > limit) {
        reject(new Error('body too large'))
        req.destroy()
        return
      }
      chunks.push(chunk)
    })
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    req.on('error', reject)
  })
}
