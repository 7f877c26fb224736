import type { Logger } from '../../shared/log/logger'
import { DataChannelRegistry } from './DataChannels'
import { CallsApiError } from './errors'
import { DEFAULT_REMB_POLICY, type RembPolicy } from './media/bandwidth'
import { publicationKey, type Publication } from './Publication'
import { Session, type SessionContext, type SessionTimings } from './Session'

export const DEFAULT_TIMINGS: SessionTimings = { idleMs: 30_000, silenceMs: 8_000, reuseWindowMs: 30_000 }

/** How often sessions get their periodic work (REMB, liveness, layer choice). */
export const TICK_MS = 500

export interface SfuCoreOptions {
  /** The address media is bound to and advertised on: 127.0.0.1, or a LAN address. */
  readonly address: string
  readonly log: Logger
  readonly timings?: Partial<SessionTimings>
  readonly remb?: Partial<RembPolicy>
  /** Tests only: drop this fraction (0..0.5) of outgoing RTP after it was cached for NACK. */
  readonly lossRate?: number
}

/** Counters for `/debug/stats`, the leak test and the benchmarks. */
export interface SfuStats {
  readonly sessions: number
  readonly publications: number
  readonly subscriptions: number
  readonly dataChannelPublications: number
  readonly packetsIn: number
  readonly packetsOut: number
  readonly closedSessions: number
  /** RTP packets dropped on purpose by the test loss mode. */
  readonly testDrops: number
  /** Padding-only packets received from publishers (and not forwarded). */
  readonly paddingIn: number
}

/** The session and track registry behind the HTTP API. */
export class Sfu {
  private readonly sessions = new Map<string, Session>()
  private readonly publications = new Map<string, Publication>()
  private readonly ctx: SessionContext
  private readonly ticker: ReturnType<typeof setInterval>
  private closedCount = 0
  private packetsOutOfClosed = 0
  private packetsInOfEnded = 0
  private paddingInOfEnded = 0
  private testDrops = 0

  constructor(options: SfuCoreOptions) {
    this.ctx = {
      address: options.address,
      lossRate: Math.min(0.5, Math.max(0, options.lossRate ?? 0)),
      timings: { ...DEFAULT_TIMINGS, ...options.timings },
      remb: { ...DEFAULT_REMB_POLICY, ...options.remb },
      log: options.log,
      dataChannels: new DataChannelRegistry(),
      findPublication: (sessionId, trackName) => this.publications.get(publicationKey(sessionId, trackName)),
      addPublication: (pub) => this.publications.set(pub.key, pub),
      removePublication: (pub) => {
        if (this.publications.get(pub.key) === pub) {
          this.publications.delete(pub.key)
          this.packetsInOfEnded += pub.packetsIn
          this.paddingInOfEnded += pub.paddingIn
        }
      },
      countTestDrop: () => void this.testDrops++,
      sessionClosed: (session) => {
        this.sessions.delete(session.id)
        this.closedCount++
        this.packetsOutOfClosed += session.packetsOut
      },
    }
    this.ticker = setInterval(() => {
      const now = performance.now()
      for (const session of [...this.sessions.values()]) session.tick(now)
    }, TICK_MS)
    this.ticker.unref()
  }

  createSession(): Session {
    const session = new Session(this.ctx)
    this.sessions.set(session.id, session)
    return session
  }

  /**
   * The live session, else 410 session_error. An id we never saw gets 410 too: after a backend restart every old
   * id is unknown, and what the client must do is the same (make a new session); a 404 would read as "wrong app".
   */
  session(id: string): Session {
    const session = this.sessions.get(id)
    if (session) return session
    throw CallsApiError.sessionGone(id)
  }

  stats(): SfuStats {
    let subscriptions = 0
    let packetsOut = this.packetsOutOfClosed
    for (const s of this.sessions.values()) {
      subscriptions += s.counts.subscriptions
      packetsOut += s.packetsOut
    }
    let packetsIn = this.packetsInOfEnded
    let paddingIn = this.paddingInOfEnded
    for (const p of this.publications.values()) {
      packetsIn += p.packetsIn
      paddingIn += p.paddingIn
    }
    return {
      sessions: this.sessions.size,
      publications: this.publications.size,
      subscriptions,
      dataChannelPublications: this.ctx.dataChannels.size,
      packetsIn,
      packetsOut,
      closedSessions: this.closedCount,
      testDrops: this.testDrops,
      paddingIn,
    }
  }

  close(): void {
    clearInterval(this.ticker)
    for (const session of [...this.sessions.values()]) session.close('SFU shutting down')
  }
}
