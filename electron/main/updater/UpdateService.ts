import { missingCaseError } from '../../../shared/errors/AppError'
import type { Logger } from '../../../shared/log/logger'
import type { UpdateStatus } from '../../../shared/desktop/schemas'
import { describeUpdateFailure, refusalError } from './updateErrors'
import {
  initialUpdateState,
  transition,
  type DownloadProgress,
  type RefusalReason,
  type UpdateEvent,
  type UpdatePolicyState,
} from './updatePolicy'

/** What the policy needs from an updater (electron-updater in the app, see electronUpdaterPort.ts). */
export interface UpdaterPort {
  /** False when this build cannot update itself (not packaged, no feed, a package the OS manages). */
  readonly supported: boolean
  readonly currentVersion: string
  /** Ask the feed for its newest version; `available` is true only for a newer version than the running one. */
  check(): Promise<{ readonly available: boolean; readonly version: string }>
  /**
   * Download the update found by the last check. Resolves only after the file passed verification (sha512, and
   * the publisher signature where the OS has one), or with `cancelled` after `cancelDownload()`.
   */
  download(
    onProgress: (progress: DownloadProgress) => void,
  ): Promise<{ readonly outcome: 'downloaded'; readonly version: string } | { readonly outcome: 'cancelled' }>
  cancelDownload(): void
  /** Quit and run the verified installer now. Throws when there is nothing to install. */
  install(): void
  /** Whether the verified update is installed when the app quits. */
  setInstallOnQuit(value: boolean): void
}

export interface Clock {
  now(): number
  /** Run `fn` after `ms`; returns a canceller. */
  after(ms: number, fn: () => void): () => void
}

export const systemClock: Clock = {
  now: () => Date.now(),
  after: (ms, fn) => {
    // setTimeout's limit is 2^31-1 ms; the timer re-arms itself for anything further away.
    const timer = setTimeout(fn, Math.min(Math.max(ms, 0), 2_147_483_647))
    return () => clearTimeout(timer)
  },
}

export interface UpdateServiceOptions {
  /** null where no updater exists (web mode, tests of other parts): status says unsupported. */
  readonly port: UpdaterPort | null
  readonly autoUpdate: boolean
  readonly log: Logger
  readonly clock?: Clock
  /** Persist the user's choice (called after the state changed). */
  readonly saveAutoUpdate?: (enabled: boolean) => void
}

/**
 * Runs the pure update policy against a real updater: feeds it events (start, timer, meeting, results) and carries
 * out its effects. The only place that decides anything is `transition`.
 */
export class UpdateService {
  private state: UpdatePolicyState
  private readonly port: UpdaterPort | null
  private readonly clock: Clock
  private readonly log: Logger
  private readonly listeners = new Set<(status: UpdateStatus) => void>()
  private readonly inflight = new Set<Promise<void>>()
  private cancelTimer: (() => void) | null = null
  private armedFor: number | null = null
  private disposed = false

  constructor(private readonly options: UpdateServiceOptions) {
    this.port = options.port
    this.clock = options.clock ?? systemClock
    this.log = options.log
    this.state = initialUpdateState({
      autoUpdate: options.autoUpdate,
      supported: options.port?.supported ?? false,
    })
  }

  /** Check now if automatic updates are on; then daily. */
  start(): void {
    this.dispatch({ type: 'started' })
  }

  status(): UpdateStatus {
    const { phase } = this.state
    const base = {
      supported: this.state.supported,
      autoUpdate: this.state.autoUpdate,
      inMeeting: this.state.inMeeting,
      currentVersion: this.port?.currentVersion ?? '0.0.0',
      phase: phase.kind,
      lastCheckedAt: this.state.lastCheckedAt,
      nextCheckAt: this.state.nextCheckAt,
    }
    switch (phase.kind) {
      case 'idle':
      case 'checking':
        return base
      case 'upToDate':
        return { ...base, version: phase.latest }
      case 'downloading':
        return {
          ...base,
          version: phase.version,
          percent: Math.min(100, Math.max(0, phase.progress?.percent ?? 0)),
        }
      case 'available':
      case 'pausing':
      case 'downloaded':
      case 'installing':
        return { ...base, version: phase.version }
      case 'failed':
        return { ...base, message: phase.failure.message }
      default:
        throw missingCaseError(phase)
    }
  }

  /** The policy state, for tests and diagnostics. */
  get policyState(): UpdatePolicyState {
    return this.state
  }

  onStatus(listener: (status: UpdateStatus) => void): () => void {
    this.listeners.add(listener)
    return () => void this.listeners.delete(listener)
  }

  /** The user asked to check now. Throws an AppError when this build cannot update. */
  checkNow(): UpdateStatus {
    this.throwIfRefused(this.dispatch({ type: 'checkRequested' }))
    return this.status()
  }

  /** The user asked to restart into the downloaded update. Throws during a meeting or with nothing downloaded. */
  install(): UpdateStatus {
    this.throwIfRefused(this.dispatch({ type: 'installRequested' }))
    return this.status()
  }

  setAutoUpdate(enabled: boolean): UpdateStatus {
    this.dispatch({ type: 'autoUpdateChanged', enabled })
    this.options.saveAutoUpdate?.(enabled)
    return this.status()
  }

  /** The injectable "in a meeting" signal: downloads pause and installs wait while it is true. */
  setInMeeting(inMeeting: boolean): void {
    this.dispatch({ type: 'meetingChanged', inMeeting })
  }

  /** Resolves once no check or download is in flight (tests and shutdown). */
  async settled(): Promise<void> {
    while (this.inflight.size > 0) await Promise.allSettled([...this.inflight])
  }

  dispose(): void {
    this.disposed = true
    this.cancelTimer?.()
    this.cancelTimer = null
    this.listeners.clear()
  }

  private dispatch(event: UpdateEvent): RefusalReason[] {
    if (this.disposed) return []
    const before = this.state
    const { state, effects } = transition(before, event, this.clock.now())
    this.state = state
    if (state.phase.kind !== before.phase.kind) {
      this.log.info('update phase', {
        from: before.phase.kind,
        to: state.phase.kind,
        ...(state.phase.kind === 'failed' ? { code: state.phase.failure.code } : {}),
      })
    }
    const refusals: RefusalReason[] = []
    for (const effect of effects) {
      switch (effect.type) {
        case 'check':
          this.track(this.runCheck())
          break
        case 'download':
          this.track(this.runDownload())
          break
        case 'cancelDownload':
          this.port?.cancelDownload()
          break
        case 'install':
          this.runInstall()
          break
        case 'setInstallOnQuit':
          this.port?.setInstallOnQuit(effect.value)
          break
        case 'refused':
          refusals.push(effect.reason)
          break
        default:
          throw missingCaseError(effect)
      }
    }
    this.armTimer()
    if (state !== before) this.emit()
    return refusals
  }

  private throwIfRefused(refusals: readonly RefusalReason[]): void {
    const [first] = refusals
    if (first) throw refusalError(first)
  }

  private track(work: Promise<void>): void {
    this.inflight.add(work)
    void work.finally(() => this.inflight.delete(work))
  }

  private async runCheck(): Promise<void> {
    const port = this.port
    if (!port) return
    try {
      const result = await port.check()
      this.dispatch(
        result.available
          ? { type: 'updateAvailable', version: result.version }
          : { type: 'updateNotAvailable', latest: result.version },
      )
    } catch (error) {
      this.fail('check', error)
    }
  }

  private async runDownload(): Promise<void> {
    const port = this.port
    if (!port) return
    try {
      const result = await port.download((progress) => this.dispatch({ type: 'progress', progress }))
      this.dispatch(
        result.outcome === 'downloaded'
          ? { type: 'downloaded', version: result.version }
          : { type: 'downloadCancelled' },
      )
    } catch (error) {
      this.fail('download', error)
    }
  }

  private runInstall(): void {
    try {
      this.port?.install()
    } catch (error) {
      this.fail('install', error)
    }
  }

  private fail(stage: 'check' | 'download' | 'install', error: unknown): void {
    const failure = describeUpdateFailure(stage, error)
    this.log.warn('update step failed', {
      stage,
      code: failure.code,
      detail: error instanceof Error ? error.message.slice(0, 300) : String(error).slice(0, 300),
    })
    this.dispatch({ type: 'failed', failure })
  }

  private armTimer(): void {
    const due = this.state.nextCheckAt
    if (due === this.armedFor) return
    this.cancelTimer?.()
    this.cancelTimer = null
    this.armedFor = due
    if (due === null) return
    this.cancelTimer = this.clock.after(due - this.clock.now(), () => {
      this.cancelTimer = null
      this.armedFor = null
      // A timer that fired early (clamped delay) re-arms through the policy's `now < nextCheckAt` guard.
      this.dispatch({ type: 'timer' })
    })
  }

  private emit(): void {
    const status = this.status()
    for (const listener of this.listeners) {
      try {
        listener(status)
      } catch (error) {
        this.log.warn('update status listener threw', { error: String(error) })
      }
    }
  }
}
