import { randomBytes } from 'node:crypto'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { networkInterfaces } from 'node:os'
import type { Logger } from '../../shared/log/logger'
import type { RembPolicy } from './media/bandwidth'
import type { SessionTimings } from './Session'
import { createHttpApi } from './httpApi'
import { Sfu, type SfuStats } from './Sfu'

export interface SfuServerOptions {
  readonly log: Logger
  /**
   * Where the API and media listen. `127.0.0.1` (default) keeps everything on this machine; `lan` picks this
   * machine's first non-internal IPv4 address so others on the network can join; any other value is used as is.
   */
  readonly host?: string | 'lan'
  /** 0 (default) picks a free port. */
  readonly port?: number
  /** The bearer token every request must carry; random per launch when omitted. */
  readonly token?: string
  readonly appId?: string
  /** Browser origins allowed to call the API directly (test pages). */
  readonly corsOrigins?: readonly string[]
  readonly timings?: Partial<SessionTimings>
  readonly remb?: Partial<RembPolicy>
  /** Tests only: drop this fraction of outgoing RTP after caching it, to exercise NACK. */
  readonly lossRate?: number
}

export interface SfuServer {
  /** `http://<host>:<port>/v1/apps/<appId>`: append the Calls sub-paths to this. */
  readonly baseUrl: string
  readonly origin: string
  readonly token: string
  readonly port: number
  readonly address: string
  stats(): SfuStats
  close(): Promise<void>
}

/** Start the Calls-compatible SFU: HTTP API on `host:port`, media (werift, ICE lite) on the same address. */
export async function startSfu(options: SfuServerOptions): Promise<SfuServer> {
  const address = resolveHost(options.host ?? '127.0.0.1')
  // Hex, not base64url: the token is passed on command lines (`--sfu-token <token>`), where one starting with '-'
  // (1 launch in 64 with base64url) is taken for an option and the joining host fails to start.
  const token = options.token ?? randomBytes(24).toString('hex')
  const appId = options.appId ?? 'local'
  const log = options.log.child('sfu')
  const sfu = new Sfu({
    address,
    log,
    ...(options.timings ? { timings: options.timings } : {}),
    ...(options.remb ? { remb: options.remb } : {}),
    ...(options.lossRate ? { lossRate: options.lossRate } : {}),
  })
  const server = createServer(
    createHttpApi({ sfu, appId, token, log, corsOrigins: options.corsOrigins ?? [] }),
  )
  server.keepAliveTimeout = 30_000
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, address, () => resolve())
  })
  const { port } = server.address() as AddressInfo
  const origin = `http://${address}:${port}`
  log.info('SFU listening', { origin, lossRate: options.lossRate ?? 0 })
  return {
    baseUrl: `${origin}/v1/apps/${appId}`,
    origin,
    token,
    port,
    address,
    stats: () => sfu.stats(),
    close: async () => {
      sfu.close()
      await new Promise<void>((resolve) => server.close(() => resolve()))
      server.closeAllConnections()
    },
  }
}

/** `lan` becomes this machine's first non-internal IPv4 address. */
export function resolveHost(host: string): string {
  if (host !== 'lan') return host
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address
  }
  throw new Error('No LAN address found: this machine has no non-internal IPv4 interface.')
}
