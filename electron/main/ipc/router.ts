import { AppError } from '../../../shared/errors/AppError'
import {
  contract,
  isChannelName,
  type InvokeName,
  type ParsedRequestOf,
  type ResponseOf,
} from '../../../shared/ipc/contract'
import { describeIssues, err, ok, type Result } from '../../../shared/ipc/result'
import type { Logger } from '../../../shared/log/logger'
import { TokenBucket } from '../../../shared/util/tokenBucket'

/** Who is calling: filled in by the transport (Electron IPC or the web-mode socket). */
export interface CallContext {
  /** A stable id for rate limiting and logs, e.g. `wc:3` or `ws:7`. */
  readonly senderId: string
  /** The transport's verdict on the sender (our window's main frame, or a socket holding the launch token). */
  readonly trusted: boolean
}

export type Handler<K extends InvokeName> = (
  request: ParsedRequestOf<K>,
  context: CallContext,
) => Promise<ResponseOf<K>> | ResponseOf<K>

/** One handler per invoke channel: the type makes a missing handler a compile error. */
export type Handlers = { readonly [K in InvokeName]: Handler<K> }

export interface Router {
  /**
   * Run one call. Never throws: an unknown channel, an untrusted sender, a payload that fails the contract or a
   * handler failure all come back as `{ ok: false }`, and in the first three cases the handler is never called.
   */
  dispatch(channel: unknown, payload: unknown, context: CallContext): Promise<Result<unknown>>
  /** Forget per-sender state (rate-limit buckets) when a window or socket goes away. */
  release(senderId: string): void
}

export interface RouterOptions {
  readonly log: Logger
  /** Calls per second per sender, with a burst of twice that. */
  readonly ratePerSecond?: number
}

export function createRouter(handlers: Handlers, options: RouterOptions): Router {
  const { log } = options
  const rate = options.ratePerSecond ?? 200
  const buckets = new Map<string, TokenBucket>()

  async function dispatch(
    channel: unknown,
    payload: unknown,
    context: CallContext,
  ): Promise<Result<unknown>> {
    if (!context.trusted) {
      log.warn('rejected call from an untrusted sender', { sender: context.senderId })
      return err(AppError.forbidden('This window is not allowed to talk to Convene.'))
    }
    if (!isChannelName(channel) || contract[channel].kind !== 'invoke') {
      return err(AppError.unknownChannel(typeof channel === 'string' ? channel : typeof channel))
    }
    const name = channel as InvokeName
    let bucket = buckets.get(context.senderId)
    if (!bucket) buckets.set(context.senderId, (bucket = new TokenBucket(rate, rate * 2)))
    if (!bucket.take()) {
      return err(
        new AppError({
          code: 'rate_limited',
          message: 'Too many requests at once. Wait a moment.',
          retryable: true,
        }),
      )
    }
    const parsed = contract[name].request.safeParse(payload)
    if (!parsed.success) {
      return err(
        AppError.invalidRequest(`The request "${name}" was not valid.`, describeIssues(parsed.error)),
      )
    }
    try {
      const handler = handlers[name] as Handler<typeof name>
      const value = await handler(parsed.data as never, context)
      // Parsing the response strips any field the contract does not name, so a handler cannot leak extras.
      const checked = contract[name].response.safeParse(value)
      if (!checked.success) {
        log.error('handler returned a value outside the contract', {
          channel: name,
          issues: describeIssues(checked.error),
        })
        return err(AppError.internal())
      }
      return ok(checked.data)
    } catch (error) {
      const appError = AppError.from(error)
      if (appError.code === 'internal') log.error('handler failed', { channel: name, error: String(error) })
      return err(appError)
    }
  }

  return { dispatch, release: (senderId) => void buckets.delete(senderId) }
}
