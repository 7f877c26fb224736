import { missingCaseError } from '../../../shared/errors/AppError'
import type { Logger } from '../../../shared/log/logger'
import { BackendMessage } from '../../../server/sfu/processProtocol'
import type { LocalSfuEndpoint } from '../calls/targets'
import type { ProcessSpawner, SupervisedChild } from './processSpawner'

export type { LocalSfuEndpoint }

export type SupervisorState = 'idle' | 'starting' | 'running' | 'backoff' | 'stopping' | 'stopped'

export interface RestartPolicy {
  readonly initialDelayMs: number
  readonly maxDelayMs: number
  readonly factor: number
  /** A backend that ran this long counts as healthy again: the next crash restarts at the initial delay. */
  readonly stableAfterMs: number
  /** A backend that has not said `ready` by then is killed and restarted. */
  readonly readyTimeoutMs: number
  /** How long `stop()` waits for a clean exit before killing. */
  readonly stopTimeoutMs: number
}

export const DEFAULT_RESTART_POLICY: RestartPolicy = {
  initialDelayMs: 500,
  maxDelayMs: 30_000,
  factor: 2,
  stableAfterMs: 60_000,
  readyTimeoutMs: 15_000,
  stopTimeoutMs: 3000,
}

export interface SupervisorTimers {
  readonly now: () => number
  readonly setTimeout: (fn: () => void, ms: number) => unknown
  readonly clearTimeout: (handle: unknown) => void
}

const realTimers: SupervisorTimers = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
}

export interface LocalBackendOptions {
  readonly spawner: ProcessSpawner
  /** The backend entry (server/sfu/processEntry.ts, or its build output). */
  readonly entry: string
  readonly env?: Readonly<Record<string, string>>
  readonly log: Logger
  /** Called with the endpoint when the backend is ready, and with undefined whenever it goes away. */
  readonly onEndpoint: (endpoint: LocalSfuEndpoint | undefined) => void
  readonly onState?: (state: SupervisorState) => void
  readonly policy?: Partial<RestartPolicy>
  readonly timers?: SupervisorTimers
}

/** The delay before restart number `attempt` (0-based). */
export function restartDelay(attempt: number, policy: RestartPolicy): number {
  return Math.min(policy.maxDelayMs, policy.initialDelayMs * policy.factor ** attempt)
}

/**
 * Runs the embedded backend (SFU now, room hub later) in a child process and keeps it running: restarts it with
 * exponential backoff when it crashes or never becomes ready, and tells the rest of main where it answers
 * (`onEndpoint`) each time that changes. One owner, one disposer: `stop()` ends the child and every timer.
 */
export class LocalBackendSupervisor {
  private readonly policy: RestartPolicy
  private readonly timers: SupervisorTimers
  private readonly log: Logger
  private child: SupervisedChild | undefined
  private timer: unknown
  private attempt = 0
  private startedAt = 0
  private current: SupervisorState = 'idle'
  private exited: (() => void) | undefined
  /** Restarts so far (for diagnostics and tests). */
  restarts = 0

  constructor(private readonly options: LocalBackendOptions) {
    this.policy = { ...DEFAULT_RESTART_POLICY, ...options.policy }
    this.timers = options.timers ?? realTimers
    this.log = options.log.child('local-backend')
  }

  get state(): SupervisorState {
    return this.current
  }

  start(): void {
    if (this.current !== 'idle') return
    this.launch()
  }

  /** Ask the backend to shut down, kill it if it does not, and stop restarting. */
  async stop(): Promise<void> {
    if (this.current === 'stopped' || this.current === 'stopping') return
    this.clearTimer()
    const child = this.child
    this.setState('stopping')
    this.options.onEndpoint(undefined)
    if (child) {
      await new Promise<void>((resolve) => {
        this.exited = resolve
        child.postMessage({ type: 'shutdown' })
        this.timer = this.timers.setTimeout(() => child.kill(), this.policy.stopTimeoutMs)
      })
      this.clearTimer()
    }
    this.setState('stopped')
  }

  private launch(): void {
    this.setState('starting')
    this.startedAt = this.timers.now()
    let child: SupervisedChild
    try {
      child = this.options.spawner.spawn(this.options.entry, this.options.env ?? {})
    } catch (error) {
      this.log.error('could not start the local backend', { error: String(error) })
      this.scheduleRestart()
      return
    }
    this.child = child
    child.onMessage((raw) => this.onMessage(child, raw))
    child.onExit((code) => this.onExit(child, code))
    this.timer = this.timers.setTimeout(() => {
      this.log.warn('local backend did not become ready; restarting', {
        timeoutMs: this.policy.readyTimeoutMs,
      })
      child.kill()
    }, this.policy.readyTimeoutMs)
  }

  private onMessage(child: SupervisedChild, raw: unknown): void {
    if (child !== this.child) return
    const parsed = BackendMessage.safeParse(raw)
    if (!parsed.success) {
      this.log.warn('ignored a malformed message from the local backend')
      return
    }
    const message = parsed.data
    switch (message.type) {
      case 'ready':
        if (this.current !== 'starting') return
        this.clearTimer()
        this.setState('running')
        this.log.info('local backend ready', { baseUrl: message.baseUrl, pid: child.pid })
        this.options.onEndpoint({ baseUrl: message.baseUrl, token: message.token })
        break
      case 'fatal':
        this.log.error('local backend failed to start', { message: message.message })
        break
      default:
        throw missingCaseError(message)
    }
  }

  private onExit(child: SupervisedChild, code: number | null): void {
    if (child !== this.child) return
    this.child = undefined
    this.clearTimer()
    if (this.current === 'stopping') {
      this.exited?.()
      this.exited = undefined
      return
    }
    const ranMs = this.timers.now() - this.startedAt
    if (this.current === 'running' && ranMs >= this.policy.stableAfterMs) this.attempt = 0
    this.log.warn('local backend exited; restarting', { code, ranMs })
    this.options.onEndpoint(undefined)
    this.scheduleRestart()
  }

  private scheduleRestart(): void {
    const delay = restartDelay(this.attempt++, this.policy)
    this.setState('backoff')
    this.timer = this.timers.setTimeout(() => {
      this.timer = undefined
      this.restarts++
      this.launch()
    }, delay)
  }

  private clearTimer(): void {
    if (this.timer !== undefined) this.timers.clearTimeout(this.timer)
    this.timer = undefined
  }

  private setState(state: SupervisorState): void {
    if (state === this.current) return
    this.current = state
    this.options.onState?.(state)
  }
}
