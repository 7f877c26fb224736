import type { Logger } from '../../../shared/log/logger'
import type { Redactor } from '../../../shared/log/redact'
import { ApiExecutor } from './ApiExecutor'
import { ApiHistory } from './ApiHistory'
import { CallsClient } from './CallsClient'
import { DEFAULT_RATE_LIMITS, RateLimiter, type RateLimits } from './RateLimiter'
import { DEFAULT_RETRY_POLICY, realClock, type Clock, type RetryPolicy } from './retry'
import {
  CLOUDFLARE_API_BASE,
  settingsCallsTarget,
  settingsTurnSource,
  type LocalSfuEndpoint,
  type ResolveCallsTarget,
  type ResolveTurnSource,
  type SettingsTargetDeps,
} from './targets'
import { TurnClient } from './TurnClient'

/** Knobs for tests and benchmarks; production uses the defaults. */
export interface CallsTuning {
  readonly policy?: Partial<RetryPolicy>
  readonly limits?: RateLimits
  readonly clock?: Clock
  readonly random?: () => number
  readonly fetch?: typeof fetch
  readonly historyCapacity?: number
  readonly maxReplyBytes?: number
  readonly turnTtlSeconds?: number
}

/**
 * Injection points for where Calls requests go (a `Platform` field). Without them the target follows Settings
 * and the vault; tests point `cloudflareApiBase` at the fake server, the embedded backend registers itself with
 * `CallsService.setLocalSfu`, and `resolveTarget`/`resolveTurn` replace the choice entirely.
 */
export interface CallsOverrides extends CallsTuning {
  readonly cloudflareApiBase?: string
  readonly resolveTarget?: ResolveCallsTarget
  readonly resolveTurn?: ResolveTurnSource
}

export interface CallsService {
  readonly client: CallsClient
  readonly turn: TurnClient
  readonly history: ApiHistory
  /** Whoever starts the embedded SFU reports its address and launch token here (undefined when it stops). */
  setLocalSfu(endpoint: LocalSfuEndpoint | undefined): void
}

export const DEFAULT_HISTORY_CAPACITY = 100
/** 4 MiB: a reply larger than this is not a Calls reply. */
export const DEFAULT_MAX_REPLY_BYTES = 4 * 1024 * 1024

export interface CallsServiceDeps {
  readonly log: Logger
  readonly redactor: Redactor
  readonly settings: SettingsTargetDeps['settings']
  readonly vault: SettingsTargetDeps['vault']
  readonly overrides?: CallsOverrides
}

/** Build the Calls client, the TURN client and their shared executor, limiter and history. */
export function createCallsService(deps: CallsServiceDeps): CallsService {
  const overrides = deps.overrides ?? {}
  let localSfu: LocalSfuEndpoint | undefined
  const targetDeps: SettingsTargetDeps = {
    settings: deps.settings,
    vault: deps.vault,
    localSfu: () => localSfu,
    cloudflareApiBase: overrides.cloudflareApiBase ?? CLOUDFLARE_API_BASE,
  }
  const stack = createCallsStack({
    log: deps.log,
    redactor: deps.redactor,
    resolveTarget: overrides.resolveTarget ?? settingsCallsTarget(targetDeps),
    resolveTurn: overrides.resolveTurn ?? settingsTurnSource(targetDeps),
    tuning: overrides,
  })
  return {
    ...stack,
    setLocalSfu(endpoint) {
      // The launch token is a credential like any other: keep it out of logs and the history.
      if (endpoint) deps.redactor.add(endpoint.token)
      localSfu = endpoint
    },
  }
}

/** The client stack for an explicit target (the contract suite and benchmarks use this directly). */
export function createCallsStack(options: {
  readonly log: Logger
  readonly redactor: Redactor
  readonly resolveTarget: ResolveCallsTarget
  readonly resolveTurn: ResolveTurnSource
  readonly tuning?: CallsTuning
}): Omit<CallsService, 'setLocalSfu'> {
  const tuning = options.tuning ?? {}
  const clock = tuning.clock ?? realClock
  const history = new ApiHistory(tuning.historyCapacity ?? DEFAULT_HISTORY_CAPACITY, options.redactor)
  const executor = new ApiExecutor({
    policy: { ...DEFAULT_RETRY_POLICY, ...tuning.policy },
    limiter: new RateLimiter(tuning.limits ?? DEFAULT_RATE_LIMITS, clock),
    clock,
    random: tuning.random ?? Math.random,
    // Looked up per call so a test can stub the global.
    fetch: tuning.fetch ?? ((input, init) => globalThis.fetch(input, init)),
    log: options.log,
    history,
    maxReplyBytes: tuning.maxReplyBytes ?? DEFAULT_MAX_REPLY_BYTES,
  })
  const client = new CallsClient(executor, options.resolveTarget, options.log)
  const turn = new TurnClient({
    executor,
    resolve: options.resolveTurn,
    clock,
    log: options.log.child('turn'),
    ...(tuning.turnTtlSeconds !== undefined ? { ttlSeconds: tuning.turnTtlSeconds } : {}),
  })
  return { client, turn, history }
}
