import type { z } from 'zod'
import {
  CloseAdapterRequest,
  CloseAdapterResponse,
  CloseDataChannelsResponse,
  CloseTracksResponse,
  DataChannelsResponse,
  EstablishDataChannelsTransportResponse,
  GetSessionStateResponse,
  NewAdapterRequest,
  NewAdapterResponse,
  NewSessionResponse,
  RenegotiateResponse,
  TracksResponse,
  UpdateTracksResponse,
  type AdapterReply,
  type AdapterStatReply,
} from '../../../shared/calls/schemas'
import {
  CloseTracksCall,
  DataChannelsCall,
  EstablishDataChannelsCall,
  GetSessionCall,
  NewSessionCall,
  NewTracksCall,
  RenegotiateCall,
  UpdateTracksCall,
  type CloseTracksResult,
  type DataChannelsResult,
  type EstablishDataChannelsResult,
  type ItemFailure,
  type NewSessionResult,
  type RenegotiateResult,
  type SessionState,
  type TracksResult,
  type UpdateTracksResult,
} from '../../../shared/calls/ipc'
import { describeIssues } from '../../../shared/ipc/result'
import type { Logger } from '../../../shared/log/logger'
import type { ApiExecutor, OperationScope, RequestSpec } from './ApiExecutor'
import { CallsError, type CallsErrorContext } from './errors'
import { collectFailures } from './replies'
import { SessionQueue } from './SessionQueue'
import type { ResolveCallsTarget } from './targets'

export interface CallOptions {
  /** Cancels the operation wherever it is (queued, rate limited, in flight, backing off). */
  readonly signal?: AbortSignal
}

export interface AdaptersResult {
  readonly tracks: AdapterReply[]
  readonly failures: ItemFailure[]
}

export interface CloseAdaptersResult {
  readonly tracks: AdapterStatReply[]
  readonly failures: ItemFailure[]
}

/** How many sessions that answered 410 are remembered, so later calls on them fail without a request. */
const GONE_MEMORY = 1000

type SessionSpec<S extends z.ZodType> = Omit<RequestSpec<S>, 'sessionId' | 'path'> & {
  readonly subpath: string
}

/**
 * The Calls API client: one method per operation of the official OpenAPI, the same for every backend (the
 * target resolver supplies base URL and credential).
 *
 * - State changes of one session (tracks, renegotiate, data channels) run one at a time, in call order.
 * - Batch replies with failed items throw `CallsError` `track_error` whose `partial` holds the normalised result,
 *   so a caller can still apply the SDP and keep what succeeded; nothing fails silently.
 * - After a session answers 410, later calls on it fail at once with `session_gone`: build a new session.
 */
export class CallsClient {
  private readonly queue = new SessionQueue()
  private readonly gone = new Set<string>()

  constructor(
    private readonly executor: ApiExecutor,
    private readonly resolveTarget: ResolveCallsTarget,
    private readonly log: Logger,
  ) {}

  /** `POST /sessions/new`: a session, optionally with an offer (then the reply carries the answer). */
  async newSession(request: NewSessionCall = {}, options?: CallOptions): Promise<NewSessionResult> {
    const context = { operation: 'sessions/new' }
    const { thirdparty, correlationId, sessionDescription } = parseInput(NewSessionCall, request, context)
    const query: Record<string, string> = {
      ...(thirdparty ? { thirdparty: 'true' } : {}),
      ...(correlationId !== undefined ? { correlationId } : {}),
    }
    const scope = this.executor.scope(options?.signal)
    try {
      const data = await this.executor.run(
        this.resolveTarget,
        {
          operation: context.operation,
          method: 'POST',
          path: '/sessions/new',
          query,
          ...(sessionDescription ? { body: { sessionDescription } } : {}),
          // correlationId is no idempotency key: a second copy would create a second session.
          safety: 'unsafe',
          reply: { schema: NewSessionResponse },
        },
        scope,
      )
      this.log.info('calls session created', { sessionId: data.sessionId })
      return {
        sessionId: data.sessionId,
        ...(data.sessionDescription ? { sessionDescription: data.sessionDescription } : {}),
      }
    } catch (error) {
      throw this.failed(error, context, scope)
    } finally {
      scope.dispose()
    }
  }

  /** `POST tracks/new`: push local tracks (with an offer), pull remote ones, or let the SFU offer. */
  async newTracks(request: NewTracksCall, options?: CallOptions): Promise<TracksResult> {
    const { sessionId, ...body } = parseInput(NewTracksCall, request, { operation: 'tracks/new' })
    const [data, context] = await this.sessionOp(sessionId, options, {
      operation: 'tracks/new',
      method: 'POST',
      subpath: '/tracks/new',
      body,
      // An offer applied twice would add the tracks twice: repeated only when the first copy surely did nothing.
      safety: 'unsafe',
      reply: { schema: TracksResponse },
    })
    const tracks = data.tracks ?? []
    const result: TracksResult = {
      requiresImmediateRenegotiation: data.requiresImmediateRenegotiation ?? false,
      ...(data.sessionDescription ? { sessionDescription: data.sessionDescription } : {}),
      tracks,
      failures: collectFailures(tracks),
    }
    return this.checkItems(result, result.failures, tracks.length, context)
  }

  /** `PUT renegotiate`: the answer to an SFU offer (after `requiresImmediateRenegotiation`). */
  async renegotiate(request: RenegotiateCall, options?: CallOptions): Promise<RenegotiateResult> {
    const { sessionId, ...body } = parseInput(RenegotiateCall, request, { operation: 'renegotiate' })
    const [data] = await this.sessionOp(sessionId, options, {
      operation: 'renegotiate',
      method: 'PUT',
      subpath: '/renegotiate',
      body,
      safety: 'unsafe',
      reply: { schema: RenegotiateResponse },
    })
    return data.sessionDescription ? { sessionDescription: data.sessionDescription } : {}
  }

  /** `PUT tracks/close`. `close_track_error` (already closed) counts as closed, not as a failure. */
  async closeTracks(request: CloseTracksCall, options?: CallOptions): Promise<CloseTracksResult> {
    const { sessionId, ...body } = parseInput(CloseTracksCall, request, { operation: 'tracks/close' })
    const [data, context] = await this.sessionOp(sessionId, options, {
      operation: 'tracks/close',
      method: 'PUT',
      subpath: '/tracks/close',
      body,
      // A forced close repeated finds the tracks closed (close_track_error, benign); a negotiated one would
      // apply the same offer twice.
      safety: body.force && !body.sessionDescription ? 'idempotent' : 'unsafe',
      reply: { schema: CloseTracksResponse },
    })
    const items = (data.tracks ?? []).map((t, i) => ({ ...t, mid: t.mid ?? body.tracks[i]?.mid }))
    const failures = collectFailures(items, { benignClose: true })
    const failed = new Set(failures.map((f) => f.index))
    const result: CloseTracksResult = {
      requiresImmediateRenegotiation: data.requiresImmediateRenegotiation ?? false,
      ...(data.sessionDescription ? { sessionDescription: data.sessionDescription } : {}),
      tracks: items.flatMap((t, i) =>
        failed.has(i) || t.mid === undefined
          ? []
          : [{ mid: t.mid, alreadyClosed: t.errorCode === 'close_track_error' }],
      ),
      failures,
    }
    return this.checkItems(result, failures, items.length, context)
  }

  /** `PUT tracks/update`: reuse a transceiver for another track, or change simulcast preferences. */
  async updateTracks(request: UpdateTracksCall, options?: CallOptions): Promise<UpdateTracksResult> {
    const { sessionId, ...body } = parseInput(UpdateTracksCall, request, { operation: 'tracks/update' })
    const [data, context] = await this.sessionOp(sessionId, options, {
      operation: 'tracks/update',
      method: 'PUT',
      subpath: '/tracks/update',
      body,
      // Without SDP an update sets state (the same state twice is the same state).
      safety: body.sessionDescription ? 'unsafe' : 'idempotent',
      reply: { schema: UpdateTracksResponse },
    })
    const tracks = data.tracks ?? []
    const result: UpdateTracksResult = {
      requiresImmediateRenegotiation: data.requiresImmediateRenegotiation ?? false,
      tracks,
      failures: collectFailures(tracks),
    }
    return this.checkItems(result, result.failures, tracks.length, context)
  }

  /** `GET /sessions/{id}`: read only, so it neither waits in the session queue nor blocks it. */
  async getSession(request: GetSessionCall, options?: CallOptions): Promise<SessionState> {
    const { sessionId } = parseInput(GetSessionCall, request, { operation: 'sessions/get' })
    const [data] = await this.sessionOp(
      sessionId,
      options,
      {
        operation: 'sessions/get',
        method: 'GET',
        subpath: '',
        safety: 'idempotent',
        reply: { schema: GetSessionStateResponse },
      },
      false,
    )
    return { tracks: data.tracks ?? [], dataChannels: data.dataChannels ?? [] }
  }

  /** `POST datachannels/establish`: the SCTP transport, by pulling the `server-events` channel. */
  async establishDataChannels(
    request: EstablishDataChannelsCall,
    options?: CallOptions,
  ): Promise<EstablishDataChannelsResult> {
    const context = { operation: 'datachannels/establish' }
    const { sessionId, ...body } = parseInput(EstablishDataChannelsCall, request, context)
    const [data, ctx] = await this.sessionOp(sessionId, options, {
      operation: context.operation,
      method: 'POST',
      subpath: '/datachannels/establish',
      body,
      safety: 'unsafe',
      reply: { schema: EstablishDataChannelsTransportResponse },
    })
    const result: EstablishDataChannelsResult = {
      requiresImmediateRenegotiation: data.requiresImmediateRenegotiation ?? false,
      ...(data.sessionDescription ? { sessionDescription: data.sessionDescription } : {}),
      ...(data.dataChannel ? { dataChannel: data.dataChannel } : {}),
    }
    const failures = collectFailures(data.dataChannel ? [data.dataChannel] : [])
    return this.checkItems(result, failures, 1, ctx)
  }

  /** `POST datachannels/new`: publish (local) or subscribe to (remote) named channels. */
  newDataChannels(request: DataChannelsCall, options?: CallOptions): Promise<DataChannelsResult> {
    return this.dataChannelsOp('datachannels/new', 'POST', request, 'unsafe', DataChannelsResponse, options)
  }

  /** `PUT datachannels/update`: flags such as `canReply` on pulled channels; setting them twice is harmless. */
  updateDataChannels(request: DataChannelsCall, options?: CallOptions): Promise<DataChannelsResult> {
    return this.dataChannelsOp(
      'datachannels/update',
      'PUT',
      request,
      'idempotent',
      DataChannelsResponse,
      options,
    )
  }

  /** `PUT datachannels/close`. */
  closeDataChannels(request: DataChannelsCall, options?: CallOptions): Promise<DataChannelsResult> {
    return this.dataChannelsOp(
      'datachannels/close',
      'PUT',
      request,
      'unsafe',
      CloseDataChannelsResponse,
      options,
    )
  }

  /**
   * `POST adapters/websocket/new` (beta): 1 to 4 ingest or egress adapters. Calls answers 200 when at least one
   * succeeded and 503 when all failed; both reach the caller as item failures.
   */
  async newWebSocketAdapters(request: NewAdapterRequest, options?: CallOptions): Promise<AdaptersResult> {
    const context = { operation: 'adapters/websocket/new' }
    const body = parseInput(NewAdapterRequest, request, context)
    const data = await this.appOp(context, options, {
      operation: context.operation,
      method: 'POST',
      path: '/adapters/websocket/new',
      body,
      safety: 'unsafe',
      reply: { schema: NewAdapterResponse, itemStatuses: [503] },
    })
    const tracks = data.tracks ?? []
    const failures = collectFailures(tracks)
    return this.checkItems({ tracks, failures }, failures, tracks.length, context)
  }

  /** `POST adapters/websocket/close`: idempotent per the OpenAPI, so transient failures are retried. */
  async closeWebSocketAdapters(
    request: CloseAdapterRequest,
    options?: CallOptions,
  ): Promise<CloseAdaptersResult> {
    const context = { operation: 'adapters/websocket/close' }
    const body = parseInput(CloseAdapterRequest, request, context)
    const data = await this.appOp(context, options, {
      operation: context.operation,
      method: 'POST',
      path: '/adapters/websocket/close',
      body,
      safety: 'idempotent',
      reply: { schema: CloseAdapterResponse, itemStatuses: [503] },
    })
    const tracks = data.tracks ?? []
    const failures = collectFailures(tracks)
    return this.checkItems({ tracks, failures }, failures, tracks.length, context)
  }

  /** The engine is done with a session: drop its queue bookkeeping and rate-limit bucket. */
  forgetSession(sessionId: string): void {
    this.executor.forgetSession(sessionId)
  }

  /** Whether a session answered 410 (or `session_error`) and is therefore unusable. */
  isGone(sessionId: string): boolean {
    return this.gone.has(sessionId)
  }

  private async dataChannelsOp<S extends typeof DataChannelsResponse>(
    operation: string,
    method: 'POST' | 'PUT',
    request: DataChannelsCall,
    safety: 'unsafe' | 'idempotent',
    schema: S,
    options: CallOptions | undefined,
  ): Promise<DataChannelsResult> {
    const { sessionId, ...body } = parseInput(DataChannelsCall, request, { operation })
    const [data, context] = await this.sessionOp(sessionId, options, {
      operation,
      method,
      subpath: `/datachannels/${operation.split('/')[1]}`,
      body,
      safety,
      reply: { schema },
    })
    const dataChannels = data.dataChannels ?? []
    const failures = collectFailures(dataChannels)
    return this.checkItems({ dataChannels, failures }, failures, dataChannels.length, context)
  }

  private async sessionOp<S extends z.ZodType>(
    sessionId: string,
    options: CallOptions | undefined,
    spec: SessionSpec<S>,
    queued = true,
  ): Promise<[z.output<S>, CallsErrorContext]> {
    const context: CallsErrorContext = { operation: spec.operation, sessionId }
    const { subpath, ...rest } = spec
    const scope = this.executor.scope(options?.signal)
    const exec = async (): Promise<z.output<S>> => {
      // Checked after the queue too: an earlier call in the line may have found the session gone.
      if (this.gone.has(sessionId)) throw CallsError.sessionClosed(context)
      return this.executor.run(
        this.resolveTarget,
        { ...rest, sessionId, path: `/sessions/${encodeURIComponent(sessionId)}${subpath}` },
        scope,
      )
    }
    try {
      const data = await (queued ? this.queue.run(sessionId, exec, scope.signal) : exec())
      return [data, context]
    } catch (error) {
      throw this.failed(error, context, scope)
    } finally {
      scope.dispose()
    }
  }

  private async appOp<S extends z.ZodType>(
    context: CallsErrorContext,
    options: CallOptions | undefined,
    spec: RequestSpec<S>,
  ): Promise<z.output<S>> {
    const scope = this.executor.scope(options?.signal)
    try {
      return await this.executor.run(this.resolveTarget, spec, scope)
    } catch (error) {
      throw this.failed(error, context, scope)
    } finally {
      scope.dispose()
    }
  }

  /** Normalise a failure, remember gone sessions, log once per failed operation. */
  private failed(error: unknown, context: CallsErrorContext, scope: OperationScope): unknown {
    // A non-CallsError here is the scope's abort reason from the queue wait (nothing was sent), or a bug.
    const failure =
      error instanceof CallsError ? error : scope.signal.aborted ? scope.abortError(context, 'no') : error
    if (!(failure instanceof CallsError)) return failure
    if (failure.code === 'session_gone' && context.sessionId && failure.reason !== 'session_closed') {
      this.markGone(context.sessionId)
    }
    this.log.warn('calls operation failed', {
      operation: context.operation,
      sessionId: context.sessionId,
      code: failure.code,
      reason: failure.reason,
      status: failure.status,
      apiErrorCode: failure.apiErrorCode,
      failedItems: failure.items.length || undefined,
    })
    return failure
  }

  /** Return the result, or throw a `track_error` carrying it when any item failed. */
  private checkItems<T>(
    result: T,
    failures: readonly ItemFailure[],
    total: number,
    context: CallsErrorContext,
  ): T {
    if (failures.length === 0) return result
    this.log.warn('calls items failed', {
      operation: context.operation,
      sessionId: context.sessionId,
      failed: failures.length,
      total,
      codes: [...new Set(failures.map((f) => f.errorCode))].slice(0, 5),
    })
    throw CallsError.partialFailure(context, 200, failures, Math.max(total, failures.length), result)
  }

  private markGone(sessionId: string): void {
    this.gone.add(sessionId)
    if (this.gone.size > GONE_MEMORY) {
      const oldest = this.gone.values().next().value
      if (oldest !== undefined) this.gone.delete(oldest)
    }
    this.executor.forgetSession(sessionId)
  }
}

function parseInput<S extends z.ZodType>(schema: S, input: unknown, context: CallsErrorContext): z.output<S> {
  const parsed = schema.safeParse(input)
  if (!parsed.success) throw CallsError.invalidInput(context, describeIssues(parsed.error))
  return parsed.data
}
