import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { readWav, type WavInfo } from './wav'

/**
 * A local OpenAI-compatible server for tests and benchmarks, on 127.0.0.1 only: `POST /v1/chat/completions`
 * (JSON or SSE streaming, with tool calls) and `POST /v1/audio/transcriptions` (multipart). Each request takes
 * the next scripted scenario; fault scenarios give 401, 429 with Retry-After, a stream cut mid-answer, or a
 * server that never answers. It records what it received and when it wrote each answer's first token.
 */

/** Releases tokens one at a time, so a test can look at the page between two tokens. */
export interface TokenGate {
  /** Resolves once token `index` (0-based) may be written. */
  wait(index: number): Promise<void>
  /** Allow `count` more tokens. */
  release(count?: number): void
}

export function createGate(): TokenGate {
  let allowed = 0
  const waiters: Array<{ index: number; resolve: () => void }> = []
  return {
    wait(index) {
      if (index < allowed) return Promise.resolve()
      return new Promise((resolve) => waiters.push({ index, resolve }))
    },
    release(count = 1) {
      allowed += count
      for (const w of waiters.splice(0)) {
        if (w.index < allowed) w.resolve()
        else waiters.push(w)
      }
    },
  }
}

export interface ChatRequestBody {
  readonly model: string
  readonly stream?: boolean
  readonly messages: ReadonlyArray<{ role: string; content: string }>
  readonly tools?: ReadonlyArray<{ type: string; function: { name: string } }>
}

export type ChatScenario =
  /** Stream `tokens`, then finish (`finish: null` ends the stream without a finish reason or [DONE]). */
  | {
      kind: 'text'
      tokens: readonly string[]
      gate?: TokenGate
      tokenDelayMs?: number
      firstTokenDelayMs?: number
      finish?: 'stop' | 'length' | null
    }
  /** Stream a tool call (arguments split into fragments), optionally after some text. */
  | { kind: 'toolCall'; name: string; args: string; text?: readonly string[] }
  /** An error response. */
  | { kind: 'status'; status: number; headers?: Record<string, string>; message?: string }
  /** Stream `tokens`, then destroy the socket mid-answer. */
  | { kind: 'cut'; tokens: readonly string[]; gate?: TokenGate }
  /** Never answer (`headers: false`) or send headers and then nothing, until the client gives up. */
  | { kind: 'hang'; headers: boolean }
  /** Decide from the request, e.g. write a summary from the chat lines it received. */
  | { kind: 'respond'; build: (body: ChatRequestBody) => ChatScenario }

export type TranscriptionScenario =
  { kind: 'text'; text: string } | { kind: 'status'; status: number; headers?: Record<string, string> }

export interface RecordedChat {
  readonly body: ChatRequestBody
  readonly authorization: string
  readonly receivedAt: number
  /** Epoch ms (sub-ms precision) just after the first content token was written; null when none was. */
  firstTokenAt: number | null
  /** The client closed the connection before the answer ended (cancel, timeout). */
  clientClosed: boolean
}

/** The container an uploaded audio file really is, from its first bytes (not from the name or MIME type). */
export type AudioContainer = 'webm' | 'ogg' | 'wav' | 'mp4' | null

export function sniffContainer(bytes: Uint8Array): AudioContainer {
  const head = (n: number) => Array.from(bytes.subarray(0, n))
  const ascii = (from: number, to: number) => String.fromCharCode(...bytes.subarray(from, to))
  if (head(4).join() === [0x1a, 0x45, 0xdf, 0xa3].join()) return 'webm'
  if (ascii(0, 4) === 'OggS') return 'ogg'
  if (ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WAVE') return 'wav'
  if (ascii(4, 8) === 'ftyp') return 'mp4'
  return null
}

export interface RecordedTranscription {
  /** 1-based, in arrival order. */
  readonly index: number
  readonly authorization: string
  readonly model: string
  readonly fileName: string
  readonly mime: string
  readonly bytes: number
  readonly container: AudioContainer
  readonly wav: WavInfo | null
  /** The uploaded file itself, so a test can check it is a playable file (ffprobe). */
  readonly audio: Uint8Array
}

export interface OpenAiStub {
  /** `http://127.0.0.1:<port>/v1`: the SDK's baseURL. */
  readonly baseURL: string
  readonly chats: RecordedChat[]
  readonly transcriptions: RecordedTranscription[]
  enqueue(...scenarios: ChatScenario[]): void
  enqueueTranscription(...scenarios: TranscriptionScenario[]): void
  /** Used when the chat queue is empty. */
  defaultScenario: ChatScenario
  /**
   * Answers transcriptions when their queue is empty (otherwise: empty text). Deterministic per request, e.g. a
   * marker built from the request's index and size, so a test can trace a caption back to the audio it came from.
   */
  transcriptionDefault: ((request: RecordedTranscription) => TranscriptionScenario) | null
  /** When set, requests with another bearer token get a 401. */
  expectedKey: string | null
  close(): Promise<void>
}

/** Epoch ms with sub-millisecond precision, comparable across processes on one machine. */
export function preciseNow(): number {
  return performance.timeOrigin + performance.now()
}

export async function startOpenAiStub(options: { expectedKey?: string } = {}): Promise<OpenAiStub> {
  const chatQueue: ChatScenario[] = []
  const transcriptionQueue: TranscriptionScenario[] = []
  const sockets = new Set<Socket>()
  const stub: OpenAiStub = {
    baseURL: '',
    chats: [],
    transcriptions: [],
    enqueue: (...s) => void chatQueue.push(...s),
    enqueueTranscription: (...s) => void transcriptionQueue.push(...s),
    defaultScenario: { kind: 'text', tokens: ['OK'] },
    transcriptionDefault: null,
    expectedKey: options.expectedKey ?? null,
    close: async () => {
      for (const socket of sockets) socket.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }

  const server: Server = createServer((req, res) => {
    void handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500).end()
      else res.destroy()
    })
  })
  server.on('connection', (socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req)
    const authorization = String(req.headers.authorization ?? '')
    if (stub.expectedKey !== null && authorization !== `Bearer ${stub.expectedKey}`) {
      // Like OpenAI, echo part of the key back: the client must never show or log this text.
      return sendError(res, 401, `Incorrect API key provided: ${authorization.slice(7)}`, 'invalid_api_key')
    }
    if (req.method === 'POST' && req.url === '/v1/chat/completions') {
      const parsed = JSON.parse(body.toString('utf8')) as ChatRequestBody
      const record: RecordedChat = {
        body: parsed,
        authorization,
        receivedAt: preciseNow(),
        firstTokenAt: null,
        clientClosed: false,
      }
      stub.chats.push(record)
      res.on('close', () => {
        if (!res.writableFinished) record.clientClosed = true
      })
      return play(chatQueue.shift() ?? stub.defaultScenario, parsed, record, res)
    }
    if (req.method === 'POST' && req.url === '/v1/audio/transcriptions') {
      const form = await new Request('http://stub.invalid/', {
        method: 'POST',
        headers: { 'content-type': String(req.headers['content-type'] ?? '') },
        body,
      }).formData()
      const file = form.get('file')
      if (!(file instanceof File)) return sendError(res, 400, 'file is required', 'invalid_request')
      const bytes = new Uint8Array(await file.arrayBuffer())
      const wav = readWav(bytes)
      const record: RecordedTranscription = {
        index: stub.transcriptions.length + 1,
        authorization,
        model: String(form.get('model') ?? ''),
        fileName: file.name,
        mime: file.type,
        bytes: bytes.length,
        container: sniffContainer(bytes),
        wav,
        audio: bytes,
      }
      stub.transcriptions.push(record)
      if (file.type === 'audio/wav' && !wav)
        return sendError(res, 400, 'Invalid file format.', 'invalid_file')
      const next = transcriptionQueue.shift() ??
        stub.transcriptionDefault?.(record) ?? { kind: 'text', text: '' }
      if (next.kind === 'status')
        return sendError(res, next.status, `HTTP ${next.status}`, 'error', next.headers)
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ text: next.text }))
      return
    }
    sendError(res, 404, `Unknown path ${req.method} ${req.url}`, 'not_found')
  }

  async function play(
    scenario: ChatScenario,
    body: ChatRequestBody,
    record: RecordedChat,
    res: ServerResponse,
  ): Promise<void> {
    switch (scenario.kind) {
      case 'respond':
        return play(scenario.build(body), body, record, res)
      case 'status':
        return sendError(
          res,
          scenario.status,
          scenario.message ?? `HTTP ${scenario.status}`,
          'error',
          scenario.headers,
        )
      case 'hang':
        if (scenario.headers) startStream(res, body)
        // Nothing more: the client's timeout or cancel ends it (the close is recorded).
        return
      case 'text':
      case 'cut': {
        startStream(res, body)
        const delay = scenario.kind === 'text' ? scenario.firstTokenDelayMs : undefined
        if (delay) await sleep(delay)
        for (const [i, token] of scenario.tokens.entries()) {
          await scenario.gate?.wait(i)
          if (scenario.kind === 'text' && i > 0 && scenario.tokenDelayMs) await sleep(scenario.tokenDelayMs)
          if (res.destroyed) return
          writeChunk(res, body, { content: token }, null)
          record.firstTokenAt ??= preciseNow()
        }
        if (scenario.kind === 'cut') {
          // Let the written tokens reach the client, then drop the connection without finishing.
          await sleep(20)
          res.socket?.destroy()
          return
        }
        if (scenario.finish === null) return void res.end()
        writeChunk(res, body, {}, scenario.finish ?? 'stop')
        res.end('data: [DONE]\n\n')
        return
      }
      case 'toolCall': {
        startStream(res, body)
        for (const token of scenario.text ?? []) {
          writeChunk(res, body, { content: token }, null)
          record.firstTokenAt ??= preciseNow()
        }
        const half = Math.ceil(scenario.args.length / 2)
        writeChunk(
          res,
          body,
          {
            tool_calls: [
              {
                index: 0,
                id: 'call_stub_1',
                type: 'function',
                function: { name: scenario.name, arguments: '' },
              },
            ],
          },
          null,
        )
        for (const part of [scenario.args.slice(0, half), scenario.args.slice(half)]) {
          writeChunk(res, body, { tool_calls: [{ index: 0, function: { arguments: part } }] }, null)
        }
        writeChunk(res, body, {}, 'tool_calls')
        res.end('data: [DONE]\n\n')
        return
      }
      default:
        throw new TypeError(`unknown scenario ${JSON.stringify(scenario satisfies never)}`)
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  const { port } = server.address() as AddressInfo
  ;(stub as { baseURL: string }).baseURL = `http://127.0.0.1:${port}/v1`
  return stub
}

let chunkId = 0

function startStream(res: ServerResponse, body: ChatRequestBody): void {
  res.writeHead(200, {
    'content-type': 'text/event-stream',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
  })
  chunkId++
  writeChunk(res, body, { role: 'assistant', content: '' }, null)
}

function writeChunk(res: ServerResponse, body: ChatRequestBody, delta: object, finish: string | null): void {
  const chunk = {
    id: `chatcmpl-stub-${chunkId}`,
    object: 'chat.completion.chunk',
    created: Math.floor(Date.now() / 1000),
    model: body.model,
    choices: [{ index: 0, delta, finish_reason: finish }],
  }
  res.write(`data: ${JSON.stringify(chunk)}\n\n`)
}

function sendError(
  res: ServerResponse,
  status: number,
  message: string,
  code: string,
  headers: Record<string, string> = {},
): void {
  res
    .writeHead(status, { 'content-type': 'application/json', ...headers })
    .end(JSON.stringify({ error: { message, type: code, code, param: null } }))
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = []
    let size = 0
    req.on('data', (d: Buffer) => {
      size += d.length
      if (size > 10 * 1024 * 1024) req.destroy(new Error('body too large'))
      else parts.push(d)
    })
    req.on('end', () => resolve(Buffer.concat(parts)))
    req.on('error', reject)
  })
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}
