import type { z } from 'zod'
import { ApiErrorBody } from '../../../shared/calls/schemas'
import { classifyApiErrorCode, isBenignCloseError } from '../../../shared/calls/errorCodes'
import type { ItemFailure } from '../../../shared/calls/ipc'
import { describeIssues } from '../../../shared/ipc/result'
import { CallsError, type CallsErrorContext } from './errors'
import { parseRetryAfter } from './retry'

/** What arrived over HTTP, before interpretation. */
export interface Reply {
  readonly status: number
  readonly retryAfter: string | null
  readonly text: string
}

export interface ReplySpec<S extends z.ZodType> {
  /** Schema of a successful body; null when success has no body (204). */
  readonly schema: S | null
  /**
   * Non-2xx statuses whose body is still a per-item reply (adapters answer 503 when every item failed). Such a
   * body is parsed with `schema` so the items' errors reach the caller; a body that does not fit falls back to
   * the ordinary status handling.
   */
  readonly itemStatuses?: readonly number[]
}

/**
 * Turn one HTTP reply into a parsed body or a `CallsError`. Pure and total: whatever the bytes, the result is a
 * value that satisfies `spec.schema` or a thrown `CallsError` (the fuzz test holds it to that).
 */
export function interpretReply<S extends z.ZodType>(
  spec: ReplySpec<S>,
  reply: Reply,
  context: CallsErrorContext,
  nowMs: number,
): z.output<S> {
  try {
    return interpret(spec, reply, context, nowMs)
  } catch (error) {
    if (error instanceof CallsError) throw error
    // Anything else (a pathological body tripping the parser) is an unreadable reply, never a crash.
    throw CallsError.badReply(context, reply.status, 'unreadable body')
  }
}

function interpret<S extends z.ZodType>(
  spec: ReplySpec<S>,
  reply: Reply,
  context: CallsErrorContext,
  nowMs: number,
): z.output<S> {
  const { status } = reply
  const success = status >= 200 && status < 300
  if (!success) {
    if (spec.schema && spec.itemStatuses?.includes(status)) {
      const json = parseJson(reply.text)
      const parsed = json.ok ? spec.schema.safeParse(json.value) : undefined
      if (parsed?.success && hasItemErrors(parsed.data)) return parsed.data as z.output<S>
    }
    throw errorFromStatus(reply, context, nowMs)
  }
  if (spec.schema === null) return undefined as z.output<S>
  // An empty 2xx body counts as `{}` (renegotiate's documented reply); the schema decides if that is enough.
  const json = reply.text.trim() === '' ? { ok: true as const, value: {} } : parseJson(reply.text)
  if (!json.ok) throw CallsError.badReply(context, status, 'not JSON')
  const parsed = spec.schema.safeParse(json.value)
  if (!parsed.success) {
    throw CallsError.badReply(context, status, describeIssues(parsed.error).slice(0, 2).join('; '))
  }
  const top = topLevelErrorCode(parsed.data)
  if (top !== undefined) throw CallsError.fromApiError(context, status, top)
  return parsed.data as z.output<S>
}

function errorFromStatus(reply: Reply, context: CallsErrorContext, nowMs: number): CallsError {
  const json = parseJson(reply.text)
  const body = json.ok ? ApiErrorBody.safeParse(json.value) : undefined
  const retryAfterMs = parseRetryAfter(reply.retryAfter, nowMs)
  return CallsError.fromStatus(context, reply.status, {
    ...(body?.success ? { apiErrorCode: body.data.errorCode.slice(0, 64) } : {}),
    ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
  })
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown }
  } catch {
    return { ok: false }
  }
}

function topLevelErrorCode(data: unknown): string | undefined {
  if (data === null || typeof data !== 'object') return undefined
  const code = (data as { errorCode?: unknown }).errorCode
  return typeof code === 'string' && code !== '' ? code.slice(0, 64) : undefined
}

function hasItemErrors(data: unknown): boolean {
  if (data === null || typeof data !== 'object') return false
  return Object.values(data).some(
    (v) =>
      Array.isArray(v) && v.some((item) => typeof (item as { errorCode?: unknown })?.errorCode === 'string'),
  )
}

/** The identifying fields an item may carry, copied into its failure record. */
interface ItemLike {
  readonly errorCode?: string | undefined
  readonly errorDescription?: string | undefined
  readonly mid?: string | undefined
  readonly trackName?: string | undefined
  readonly dataChannelName?: string | undefined
  readonly adapterId?: string | undefined
}

/**
 * The failed items of a batch reply. With `benignClose`, `close_track_error` ("doesn't exist or was already
 * closed") is not a failure: the resource is cleaned up either way.
 */
export function collectFailures(
  items: readonly ItemLike[],
  options: { benignClose?: boolean } = {},
): ItemFailure[] {
  const failures: ItemFailure[] = []
  items.forEach((item, index) => {
    const code = item.errorCode
    if (code === undefined || code === '') return
    if (options.benignClose && isBenignCloseError(code)) return
    failures.push({
      index,
      ...(item.mid !== undefined ? { mid: item.mid } : {}),
      ...(item.trackName !== undefined ? { trackName: item.trackName } : {}),
      ...(item.dataChannelName !== undefined ? { dataChannelName: item.dataChannelName } : {}),
      ...(item.adapterId !== undefined ? { adapterId: item.adapterId } : {}),
      errorCode: code.slice(0, 64),
      errorDescription: (item.errorDescription ?? '').slice(0, 300),
      retryable: classifyApiErrorCode(code).retryable,
    })
  })
  return failures
}
