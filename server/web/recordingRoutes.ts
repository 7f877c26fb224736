import { createHmac, timingSafeEqual } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Duplex } from 'node:stream'
import { WebSocketServer, type RawData, type WebSocket } from 'ws'
import type { Services } from '../../electron/main/app/services'
import type { ChunkConnection } from '../../electron/main/recording/ChunkConnection'
import type { Logger } from '../../shared/log/logger'
import { RecordingFileName, RecordingId } from '../../shared/recording/schemas'
import { RECORDING_MAX_CHUNK, StreamClientFrame } from '../../shared/recording/stream'

export const RECORDINGS_HTTP_PREFIX = '/recordings/'
/** Links stay valid this long: a `<video>` keeps making range requests while someone watches. */
const LINK_TTL_MS = 12 * 60 * 60 * 1000

export interface RecordingWebRoutes {
  /** Serve `GET /recordings/<name>?exp&sig[&download=1]`; false when the URL is not ours. */
  handleRequest(req: IncomingMessage, res: ServerResponse): boolean
  /** A socket on the recording stream path that already passed the host's token and origin checks. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void
  /** Once the host knows its origin: make `recording:getLinks` hand out signed URLs on it. */
  setOrigin(origin: string): void
  /** Finalise a running recording (the host is going away) and drop stream sockets. */
  close(): Promise<void>
}

/**
 * Web mode's recording transport: the binary chunk stream (a second WebSocket path, authenticated exactly like
 * the RPC socket) and playback/download of finished files through links signed with the launch token, so the
 * token itself never appears in a media URL or the browser history.
 */
export function createRecordingWebRoutes(options: {
  services: Pick<Services, 'recordings'>
  token: string
  log: Logger
  now?: () => number
}): RecordingWebRoutes {
  const { services, log } = options
  const now = options.now ?? Date.now
  const key = createHmac('sha256', options.token).update('convene recording links v1').digest()
  const sign = (name: string, exp: number): string =>
    createHmac('sha256', key).update(`${name}\n${exp}`).digest('base64url')
  const wss = new WebSocketServer({ noServer: true, maxPayload: RECORDING_MAX_CHUNK })

  const handleUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const id = RecordingId.safeParse(new URL(req.url ?? '/', 'http://host.invalid').searchParams.get('id'))
    if (!id.success) {
      socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n')
      return
    }
    wss.handleUpgrade(req, socket, head, (ws) =>
      services.recordings.attachStream(id.data, socketConnection(ws, log)),
    )
  }

  const handleRequest = (req: IncomingMessage, res: ServerResponse): boolean => {
    const url = new URL(req.url ?? '/', 'http://host.invalid')
    if (!url.pathname.startsWith(RECORDINGS_HTTP_PREFIX)) return false
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD' }).end()
      return true
    }
    let name: string
    try {
      name = decodeURIComponent(url.pathname.slice(RECORDINGS_HTTP_PREFIX.length))
    } catch {
      res.writeHead(400).end()
      return true
    }
    const exp = Number(url.searchParams.get('exp'))
    const given = Buffer.from(url.searchParams.get('sig') ?? '')
    const expected = Buffer.from(sign(name, exp))
    const valid =
      RecordingFileName.safeParse(name).success &&
      Number.isFinite(exp) &&
      exp > now() &&
      given.length === expected.length &&
      timingSafeEqual(given, expected)
    if (!valid) {
      res
        .writeHead(403, { 'content-type': 'text/plain' })
        .end('This link has expired. Open the recordings list again.')
      return true
    }
    void serveFile(req, res, name, url.searchParams.get('download') === '1').catch((error: unknown) => {
      log.warn('could not serve a recording', { error: String(error) })
      if (!res.headersSent) res.writeHead(404, { 'content-type': 'text/plain' }).end('Not found')
      else res.destroy()
    })
    return true
  }

  const serveFile = async (
    req: IncomingMessage,
    res: ServerResponse,
    name: string,
    download: boolean,
  ): Promise<void> => {
    const path = await services.recordings.library.pathOf(name)
    const { size } = await stat(path)
    const headers: Record<string, string> = {
      'content-type': 'video/webm',
      'accept-ranges': 'bytes',
      'cache-control': 'no-store',
      'content-disposition': `${download ? 'attachment' : 'inline'}; filename="${name}"`,
    }
    const range = parseRange(req.headers.range, size)
    if (range === 'invalid') {
      res.writeHead(416, { ...headers, 'content-range': `bytes */${size}` }).end()
      return
    }
    const [start, end] = range ?? [0, size - 1]
    const length = size === 0 ? 0 : end - start + 1
    res.writeHead(range ? 206 : 200, {
      ...headers,
      'content-length': String(length),
      ...(range ? { 'content-range': `bytes ${start}-${end}/${size}` } : {}),
    })
    if (req.method === 'HEAD' || length === 0) {
      res.end()
      return
    }
    const stream = createReadStream(path, { start, end })
    stream.on('error', () => res.destroy())
    res.on('close', () => stream.destroy())
    stream.pipe(res)
  }

  return {
    handleRequest,
    handleUpgrade,
    setOrigin: (origin) => {
      services.recordings.setLinkProvider((name) => {
        const exp = now() + LINK_TTL_MS
        const base = `${origin}${RECORDINGS_HTTP_PREFIX}${encodeURIComponent(name)}?exp=${exp}&sig=${sign(name, exp)}`
        return { play: base, download: `${base}&download=1` }
      })
    },
    close: async () => {
      services.recordings.setLinkProvider(null)
      await services.recordings.stopAll('meeting_ended')
      for (const client of wss.clients) client.terminate()
      wss.close()
    },
  }
}

/** One stream socket as a ChunkConnection: binary messages are chunks, text messages control frames. */
function socketConnection(ws: WebSocket, log: Logger): ChunkConnection {
  return {
    listen(handlers) {
      let closed = false
      ws.on('message', (data: RawData, isBinary: boolean) => {
        if (isBinary) {
          handlers.chunk(toBytes(data))
          return
        }
        let parsed: unknown
        try {
          parsed = JSON.parse(toBytes(data).toString())
        } catch {
          parsed = undefined
        }
        const frame = StreamClientFrame.safeParse(parsed)
        if (!frame.success) {
          log.warn('dropped an unreadable recording control frame')
          return
        }
        handlers.end()
      })
      ws.on('close', () => {
        if (closed) return
        closed = true
        handlers.close()
      })
    },
    send(frame) {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(frame))
    },
    close() {
      if (ws.readyState === ws.OPEN || ws.readyState === ws.CONNECTING) ws.close(1000)
    },
  }
}

function toBytes(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data
  if (Array.isArray(data)) return Buffer.concat(data)
  return Buffer.from(data)
}

/** A single `bytes=a-b` range (what media elements send), clamped to the file; null for none. */
export function parseRange(header: string | undefined, size: number): [number, number] | null | 'invalid' {
  if (!header) return null
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim())
  if (!match || (match[1] === '' && match[2] === '')) return 'invalid'
  let start: number
  let end: number
  if (match[1] === '') {
    const suffix = Number(match[2])
    start = Math.max(0, size - suffix)
    end = size - 1
  } else {
    start = Number(match[1])
    end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1)
  }
  if (start > end || start >= size) return 'invalid'
  return [start, end]
}
