import { OpenAI, toFile } from 'openai'
import type { Logger } from '../../../shared/log/logger'
import type { PromptMessage } from '../../../shared/ai/prompt'
import { defaultRetryPolicy, retryDelay, type RetryPolicy } from '../../../shared/ai/retry'
import type { AiFailureReason, AiStatus } from '../../../shared/ai/schemas'
import { ToolCallAccumulator, type FunctionTool } from '../../../shared/ai/tools'
import { AiFailure, classifyAiError } from './errors'

/** What the client needs per request; read fresh each time so a changed key or URL applies at once. */
export interface AiConfig {
  /** From the vault; lives only in main. */
  readonly apiKey: string | undefined
  readonly baseURL: string
  readonly model: string
  readonly transcriptionModel: string
}

/** How long the assistant waits, in ms. Nothing the AI server does can hold the panel longer than these. */
export interface AiTimeouts {
  /** Silence after which the panel says the server is slow (the request keeps going). */
  readonly slowMs: number
  /** From sending the request to the first streamed chunk: connect, queue and model think time. */
  readonly firstTokenMs: number
  /** Between two chunks once the answer flows. */
  readonly idleMs: number
  /** One whole answer. */
  readonly totalMs: number
  /** One transcription request. */
  readonly transcribeMs: number
}

export const defaultAiTimeouts: AiTimeouts = {
  slowMs: 5000,
  firstTokenMs: 45_000,
  idleMs: 30_000,
  totalMs: 5 * 60_000,
  transcribeMs: 20_000,
}

/**
 * Captions are live: a chunk that needs a long wait is worth less than the next one. One short retry, so the
 * worst case (20 s + 5 s + 20 s) stays inside the `ai:transcribeChunk` channel's 60 s.
 */
const transcribeRetry: RetryPolicy = { maxRetries: 1, baseDelayMs: 500, maxDelayMs: 2000, maxWaitMs: 5000 }

export type StatusListener = (
  status: AiStatus['status'],
  extra?: { ms?: number; reason?: AiFailureReason },
) => void

export interface ChatStreamRequest {
  readonly messages: readonly PromptMessage[]
  readonly tools?: readonly FunctionTool[]
  /** Text beyond this is not delivered; the stream is stopped and the answer marked `truncated`. */
  readonly maxChars: number
  readonly signal: AbortSignal
  readonly onDelta: (text: string) => void
  readonly onStatus: StatusListener
}

export interface ChatStreamResult {
  readonly text: string
  readonly finish: 'stop' | 'length' | 'tool_calls' | 'truncated'
  readonly toolCalls: ReadonlyArray<{ id: string; name: string; args: string }>
}

export interface AiClientDeps {
  readonly config: () => AiConfig
  readonly log: Logger
  readonly timeouts?: Partial<AiTimeouts>
  readonly retry?: RetryPolicy
  /** Injected in tests to observe and skip waits. Rejects with `AiFailure.cancelled()` when `signal` aborts. */
  readonly sleep?: (ms: number, signal: AbortSignal) => Promise<void>
  readonly random?: () => number
  readonly now?: () => number
}

/**
 * The OpenAI SDK behind the assistant: streamed chat completions and audio transcriptions against OpenAI or any
 * OpenAI-compatible server (the base URL). Adds what the SDK leaves to us: visible, cancellable retries that
 * honour Retry-After; first-token, idle and total timeouts on the stream; detection of a stream that ends
 * without a finish reason; a cap on answer size.
 */
export class AiClient {
  readonly timeouts: AiTimeouts
  private readonly retry: RetryPolicy
  private readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>
  private readonly now: () => number
  private cached: { id: string; sdk: OpenAI } | null = null

  constructor(private readonly deps: AiClientDeps) {
    this.timeouts = { ...defaultAiTimeouts, ...deps.timeouts }
    this.retry = deps.retry ?? defaultRetryPolicy
    this.sleep = deps.sleep ?? abortableSleep
    this.now = deps.now ?? Date.now
  }

  /** The host answering requests, for messages: `api.openai.com`, `127.0.0.1:4000`. */
  server(config = this.deps.config()): string {
    try {
      return new URL(config.baseURL).host
    } catch {
      return 'the configured AI server'
    }
  }

  /** Stream one chat completion. Resolves with the whole answer; throws `AiFailure`. */
  async streamChat(request: ChatStreamRequest): Promise<ChatStreamResult> {
    const config = this.deps.config()
    let delivered = false
    return this.withRetries(
      config,
      {
        signal: request.signal,
        onStatus: request.onStatus,
        timeoutMs: this.timeouts.firstTokenMs,
        policy: this.retry,
      },
      () => delivered,
      () => this.attemptChat(config, request, () => (delivered = true)),
    )
  }

  /** Transcribe one audio chunk; resolves with the text ('' for silence). Throws `AiFailure`. */
  async transcribe(input: { bytes: Uint8Array; mime: string; signal: AbortSignal }): Promise<string> {
    const config = this.deps.config()
    const context = {
      signal: input.signal,
      onStatus: () => undefined,
      timeoutMs: this.timeouts.transcribeMs,
      policy: transcribeRetry,
    }
    return this.withRetries(
      config,
      context,
      () => false,
      async () => {
        const sdk = this.sdk(config)
        const file = await toFile(input.bytes, `chunk.${extension(input.mime)}`, { type: input.mime })
        const result = await sdk.audio.transcriptions.create(
          { file, model: config.transcriptionModel, response_format: 'json' },
          { signal: input.signal, timeout: this.timeouts.transcribeMs },
        )
        return typeof result.text === 'string' ? result.text : ''
      },
    )
  }

  private async withRetries<T>(
    config: AiConfig,
    context: { signal: AbortSignal; onStatus: StatusListener; timeoutMs: number; policy: RetryPolicy },
    delivered: () => boolean,
    attempt: () => Promise<T>,
  ): Promise<T> {
    const { signal, onStatus } = context
    if (!config.apiKey) throw AiFailure.noKey()
    const server = this.server(config)
    for (let retry = 0; ; retry++) {
      try {
        return await attempt()
      } catch (error) {
        const failure = signal.aborted
          ? AiFailure.cancelled()
          : classifyAiError(error, server, this.now(), context.timeoutMs)
        // After text was shown a retry would repeat it; the panel offers "ask again" instead.
        const delay = delivered()
          ? null
          : retryDelay(failure.reason, retry, failure.retryAfterMs, context.policy)
        if (delay === null) {
          if (failure.reason !== 'cancelled') {
            this.deps.log.warn('AI request failed', { reason: failure.reason, status: failure.status, retry })
          }
          throw failure
        }
        this.deps.log.info('AI request failed; retrying', {
          reason: failure.reason,
          status: failure.status,
          delayMs: delay,
          retry,
        })
        onStatus('retrying', { ms: delay, reason: failure.reason })
        await this.sleep(delay, signal)
      }
    }
  }

  private async attemptChat(
    config: AiConfig,
    request: ChatStreamRequest,
    markDelivered: () => void,
  ): Promise<ChatStreamResult> {
    const server = this.server(config)
    const controller = new AbortController()
    let stoppedBy: 'cancel' | 'timeout' | 'truncated' | null = null
    let timedOutAfter = 0
    const cancel = (): void => {
      stoppedBy ??= 'cancel'
      controller.abort()
    }
    request.signal.addEventListener('abort', cancel, { once: true })
    if (request.signal.aborted) cancel()
    const watchdog = new StreamWatchdog(this.timeouts, {
      slow: (ms) => request.onStatus('slow', { ms }),
      resumed: () => request.onStatus('streaming'),
      expire: (afterMs) => {
        stoppedBy ??= 'timeout'
        timedOutAfter = afterMs
        controller.abort()
      },
    })
    let text = ''
    let finish: string | null = null
    const tools = new ToolCallAccumulator()
    const stopped = (): AiFailure | null =>
      stoppedBy === 'cancel'
        ? AiFailure.cancelled()
        : stoppedBy === 'timeout'
          ? AiFailure.timeout(Math.round(timedOutAfter / 1000), server)
          : null
    try {
      request.onStatus('waiting')
      const stream = await this.sdk(config).chat.completions.create(
        {
          model: config.model,
          messages: request.messages.map((m) => ({ role: m.role, content: m.content })),
          stream: true,
          ...(request.tools && request.tools.length > 0
            ? { tools: request.tools.map((t) => ({ type: t.type, function: { ...t.function } })) }
            : {}),
        },
        // The SDK's timeout covers only the wait for response headers; the watchdog covers the body.
        { signal: controller.signal, timeout: this.timeouts.firstTokenMs },
      )
      for await (const chunk of stream) {
        watchdog.progress()
        const choice = chunk.choices[0]
        if (!choice) continue
        const piece = choice.delta?.content
        if (piece) {
          const room = request.maxChars - text.length
          const take = piece.length > room ? piece.slice(0, room) : piece
          if (take !== '') {
            text += take
            markDelivered()
            request.onDelta(take)
          }
          if (piece.length > room) {
            stoppedBy = 'truncated'
            break
          }
        }
        tools.add(choice.delta?.tool_calls)
        if (choice.finish_reason) finish = choice.finish_reason
      }
    } catch (error) {
      const own = stopped()
      if (own) throw own
      // Bytes already shown: whatever broke the stream, the user sees a cut-off answer.
      if (text !== '') throw AiFailure.streamCut(server)
      throw error
    } finally {
      watchdog.stop()
      request.signal.removeEventListener('abort', cancel)
    }
    // The SDK ends iteration quietly when its request is aborted, so check why it ended.
    const own = stopped()
    if (own) throw own
    if (stoppedBy === 'truncated') return { text, finish: 'truncated', toolCalls: [] }
    if (finish === null) {
      // No finish reason: the server closed the stream early (with or without `[DONE]`).
      if (text === '' && tools.size === 0) throw AiFailure.network(server)
      throw AiFailure.streamCut(server)
    }
    const toolCalls = tools.finish()
    return {
      text,
      finish: toolCalls.length > 0 ? 'tool_calls' : finish === 'length' ? 'length' : 'stop',
      toolCalls,
    }
  }

  /** One SDK client per (base URL, key); rebuilt when either changes. */
  private sdk(config: AiConfig): OpenAI {
    const id = `${config.baseURL}\u0000${config.apiKey ?? ''}`
    if (this.cached?.id === id) return this.cached.sdk
    const log = this.deps.log.child('sdk')
    const sdk = new OpenAI({
      apiKey: config.apiKey ?? null,
      baseURL: config.baseURL,
      // Our own retries: visible in the panel, cancellable, and never after text was shown.
      maxRetries: 0,
      timeout: this.timeouts.firstTokenMs,
      // Everything explicit, so no environment variable (OPENAI_ORG_ID, OPENAI_ADMIN_KEY…) changes behaviour.
      organization: null,
      project: null,
      adminAPIKey: null,
      webhookSecret: null,
      logLevel: 'warn',
      // The SDK's own diagnostics go through our redacting logger, never the console.
      logger: {
        debug: (message: string) => log.debug(message),
        info: (message: string) => log.debug(message),
        warn: (message: string) => log.warn(message),
        error: (message: string) => log.warn(message),
      },
    })
    this.cached = { id, sdk }
    return sdk
  }
}

/**
 * Timers for one streamed answer: `slow` after `slowMs` of silence (once per silence), `resumed` when data flows
 * again after that, `expire` after `firstTokenMs` before the first chunk, `idleMs` between chunks, or `totalMs`
 * overall.
 */
class StreamWatchdog {
  private started = false
  private slowShown = false
  private silence: ReturnType<typeof setTimeout> | undefined
  private slowTimer: ReturnType<typeof setTimeout> | undefined
  private readonly total: ReturnType<typeof setTimeout>

  constructor(
    private readonly timeouts: AiTimeouts,
    private readonly on: {
      slow: (ms: number) => void
      resumed: () => void
      expire: (afterMs: number) => void
    },
  ) {
    this.total = setTimeout(() => on.expire(timeouts.totalMs), timeouts.totalMs)
    this.arm()
  }

  progress(): void {
    this.started = true
    if (this.slowShown) {
      this.slowShown = false
      this.on.resumed()
    }
    this.arm()
  }

  stop(): void {
    clearTimeout(this.total)
    clearTimeout(this.silence)
    clearTimeout(this.slowTimer)
  }

  private arm(): void {
    clearTimeout(this.silence)
    clearTimeout(this.slowTimer)
    const limit = this.started ? this.timeouts.idleMs : this.timeouts.firstTokenMs
    this.silence = setTimeout(() => this.on.expire(limit), limit)
    if (this.timeouts.slowMs < limit) {
      this.slowTimer = setTimeout(() => {
        this.slowShown = true
        this.on.slow(this.timeouts.slowMs)
      }, this.timeouts.slowMs)
    }
  }
}

function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(AiFailure.cancelled())
    const done = (): void => {
      signal.removeEventListener('abort', abort)
      resolve()
    }
    const timer = setTimeout(done, ms)
    const abort = (): void => {
      clearTimeout(timer)
      reject(AiFailure.cancelled())
    }
    signal.addEventListener('abort', abort, { once: true })
  })
}

function extension(mime: string): string {
  const sub = mime.split('/')[1] ?? 'bin'
  return sub === 'mpeg' ? 'mp3' : sub === 'mp4' ? 'm4a' : sub
}
