import { GenerateIceServersResponse, type IceServerReply } from '../../../shared/calls/schemas'
import type { IceServer, IceServersResult } from '../../../shared/calls/ipc'
import type { Logger } from '../../../shared/log/logger'
import { resolutionError, type ApiExecutor } from './ApiExecutor'
import { CallsError } from './errors'
import type { Clock } from './retry'
import type { Endpoint, ResolveTurnSource, TurnSource } from './targets'

export interface TurnClientOptions {
  readonly executor: ApiExecutor
  readonly resolve: ResolveTurnSource
  readonly clock: Clock
  readonly log: Logger
  /**
   * Lifetime of minted credentials, seconds (Cloudflare allows up to 48 h). Short enough that a credential that
   * leaks from a renderer is soon useless, long enough for a meeting between refreshes.
   */
  readonly ttlSeconds?: number
  /** Fraction of the TTL after which credentials count as stale and the next request mints new ones. */
  readonly refreshFraction?: number
}

export interface GetIceServersOptions {
  /** Mint new credentials even if the cached ones are fresh. */
  readonly forceRefresh?: boolean
  /**
   * Drop URLs on port 53. Browsers block it (Cloudflare's docs say to filter it out without trickle ICE); a
   * non-browser peer (werift in main) may keep it.
   */
  readonly forBrowser?: boolean
  readonly signal?: AbortSignal
}

interface Cached {
  readonly key: string
  readonly iceServers: readonly IceServer[]
  readonly expiresAt: number
  readonly refreshAt: number
}

const DEFAULT_TTL_SECONDS = 4 * 3600
const DEFAULT_REFRESH_FRACTION = 0.75

/**
 * TURN credentials: generate ICE servers with a TTL, reuse them until `refreshAt` (a fraction of the TTL, so
 * fresh ones exist well before the old ones expire), revoke on request. The renderer asks again at `refreshAt`
 * and applies the answer with `RTCPeerConnection.setConfiguration`. Concurrent requests share one mint.
 */
export class TurnClient {
  private cached: Cached | undefined
  private inflight: { key: string; promise: Promise<Cached> } | undefined
  private readonly ttlSeconds: number
  private readonly refreshFraction: number

  constructor(private readonly options: TurnClientOptions) {
    this.ttlSeconds = options.ttlSeconds ?? DEFAULT_TTL_SECONDS
    this.refreshFraction = options.refreshFraction ?? DEFAULT_REFRESH_FRACTION
  }

  async getIceServers(options: GetIceServersOptions = {}): Promise<IceServersResult> {
    const forBrowser = options.forBrowser ?? true
    const source = await this.resolve()
    if (source.type === 'static') {
      return { iceServers: filterServers(source.iceServers, forBrowser), expiresAt: null, refreshAt: null }
    }
    const key = `${source.endpoint.kind} ${source.endpoint.baseUrl}`
    const now = this.options.clock.now()
    const cached = this.cached
    const fresh = cached && cached.key === key && now < cached.refreshAt && !options.forceRefresh
    const entry = fresh ? cached : await this.mint(source.endpoint, key, options.signal)
    return {
      iceServers: filterServers(entry.iceServers, forBrowser),
      expiresAt: entry.expiresAt,
      refreshAt: entry.refreshAt,
    }
  }

  /** Revoke one credential (by its TURN username) so it stops working before its TTL ends. */
  async revoke(username: string, signal?: AbortSignal): Promise<void> {
    const source = await this.resolve()
    if (source.type === 'static') return
    const { executor } = this.options
    const scope = executor.scope(signal)
    try {
      await executor.run(
        () => source.endpoint,
        {
          operation: 'turn/revoke',
          method: 'POST',
          path: `/credentials/${encodeURIComponent(username)}/revoke`,
          // Revoking twice leaves it revoked.
          safety: 'idempotent',
          reply: { schema: null },
        },
        scope,
      )
    } catch (error) {
      throw scope.signal.aborted && !(error instanceof CallsError)
        ? scope.abortError({ operation: 'turn/revoke' }, 'no')
        : error
    } finally {
      scope.dispose()
    }
    if (this.cached?.iceServers.some((s) => s.username === username)) this.cached = undefined
    this.options.log.info('turn credential revoked')
  }

  private async resolve(): Promise<TurnSource> {
    try {
      return await this.options.resolve()
    } catch (error) {
      throw resolutionError(error, { operation: 'turn/generate' })
    }
  }

  private mint(endpoint: Endpoint, key: string, signal: AbortSignal | undefined): Promise<Cached> {
    if (this.inflight?.key === key) return this.inflight.promise
    const promise = this.generate(endpoint, key, signal).finally(() => {
      if (this.inflight?.promise === promise) this.inflight = undefined
    })
    this.inflight = { key, promise }
    return promise
  }

  private async generate(endpoint: Endpoint, key: string, signal: AbortSignal | undefined): Promise<Cached> {
    const { executor, clock, log } = this.options
    const scope = executor.scope(signal)
    try {
      const issuedAt = clock.now()
      const data = await executor.run(
        () => endpoint,
        {
          operation: 'turn/generate',
          method: 'POST',
          path: '/credentials/generate-ice-servers',
          body: { ttl: this.ttlSeconds },
          // Each call mints an independent credential; an extra one is harmless and expires on its own.
          safety: 'idempotent',
          reply: { schema: GenerateIceServersResponse },
        },
        scope,
      )
      const entry: Cached = {
        key,
        iceServers: normalise(data.iceServers),
        expiresAt: issuedAt + this.ttlSeconds * 1000,
        refreshAt: issuedAt + Math.round(this.ttlSeconds * 1000 * this.refreshFraction),
      }
      this.cached = entry
      log.info('turn credentials minted', { ttlSeconds: this.ttlSeconds, servers: entry.iceServers.length })
      return entry
    } catch (error) {
      throw scope.signal.aborted && !(error instanceof CallsError)
        ? scope.abortError({ operation: 'turn/generate' }, 'no')
        : error
    } finally {
      scope.dispose()
    }
  }
}

function normalise(reply: IceServerReply | IceServerReply[]): IceServer[] {
  const list = Array.isArray(reply) ? reply : [reply]
  return list.flatMap((server) => {
    const urls = (Array.isArray(server.urls) ? server.urls : [server.urls]).filter((u) => u !== '')
    if (urls.length === 0) return []
    return [
      {
        urls,
        ...(server.username !== undefined ? { username: server.username } : {}),
        ...(server.credential !== undefined ? { credential: server.credential } : {}),
      },
    ]
  })
}

/** `turn:host:53?transport=udp` → 53; undefined when the URL names no port. Handles `[v6]:port`. */
export function iceUrlPort(url: string): number | undefined {
  const match = /^(?:stuns?|turns?):(?:\[[^\]]*\]|[^:?/]*)(?::(\d+))?/i.exec(url.trim())
  return match?.[1] === undefined ? undefined : Number(match[1])
}

/** For browsers, drop port-53 URLs (and servers left with none); otherwise copy. */
export function filterServers(servers: readonly IceServer[], forBrowser: boolean): IceServer[] {
  return servers.flatMap((server) => {
    const urls = forBrowser ? server.urls.filter((u) => iceUrlPort(u) !== 53) : [...server.urls]
    return urls.length === 0 ? [] : [{ ...server, urls }]
  })
}
