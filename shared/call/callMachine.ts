import { missingCaseError } from '../errors/AppError'

/**
 * The meeting connection lifecycle as an explicit transition table (STYLE.md rule 10). Pure: the engine feeds it
 * events and carries out the effect it returns. `reconnecting` has two phases: `resume` (ICE restart on the
 * same session) and `rebuild` (a fresh session that re-pushes and re-pulls everything).
 */
export type CallState =
  | { readonly kind: 'idle' }
  | { readonly kind: 'joining' }
  | { readonly kind: 'connected' }
  | { readonly kind: 'reconnecting'; readonly phase: 'resume' | 'rebuild'; readonly attempt: number }
  | { readonly kind: 'leaving' }
  | { readonly kind: 'closed'; readonly reason: CloseReason }

export type CloseReason = 'left' | 'failed' | 'removed' | 'ended'

export type CallEvent =
  | { readonly type: 'join' }
  /** The transport (PeerConnection) reached `connected`. */
  | { readonly type: 'transportUp' }
  /** `disconnected` or `failed` from the PeerConnection, or the signalling path broke. */
  | { readonly type: 'transportDown'; readonly fatal: boolean }
  /** The current repair attempt did not bring the transport back. */
  | { readonly type: 'repairFailed' }
  /**
   * The media server no longer knows our session (HTTP 410 `session_error`, e.g. after it restarted): an ICE
   * restart cannot help, only a fresh session that re-pushes and re-pulls.
   */
  | { readonly type: 'sessionLost' }
  /** The policy's delay before the next attempt has passed. */
  | { readonly type: 'retryDue' }
  | { readonly type: 'leave' }
  | { readonly type: 'left' }
  | { readonly type: 'kicked'; readonly reason: 'removed' | 'ended' }

export type CallEffect =
  | { readonly type: 'none' }
  | { readonly type: 'startSession' }
  | { readonly type: 'iceRestart' }
  | { readonly type: 'rebuildSession' }
  | { readonly type: 'scheduleRetry'; readonly delayMs: number }
  | { readonly type: 'flushBuffered' }
  | { readonly type: 'teardown' }

/** Decides how long to wait before the next repair attempt, or `null` to give up. */
export interface ReconnectPolicy {
  nextDelayMs(attempt: number, phase: 'resume' | 'rebuild'): number | null
}

export interface Transition {
  readonly state: CallState
  readonly effect: CallEffect
}

const stay = (state: CallState): Transition => ({ state, effect: { type: 'none' } })

/** ICE restarts tried before a rebuild; a rebuild is tried until the policy says stop. */
export const RESUME_ATTEMPTS = 2

export function transition(state: CallState, event: CallEvent, policy: ReconnectPolicy): Transition {
  if (event.type === 'kicked') {
    if (state.kind === 'closed') return stay(state)
    return { state: { kind: 'closed', reason: event.reason }, effect: { type: 'teardown' } }
  }
  if (event.type === 'leave') {
    if (state.kind === 'closed' || state.kind === 'leaving' || state.kind === 'idle') return stay(state)
    return { state: { kind: 'leaving' }, effect: { type: 'teardown' } }
  }
  switch (state.kind) {
    case 'idle':
      return event.type === 'join'
        ? { state: { kind: 'joining' }, effect: { type: 'startSession' } }
        : stay(state)
    case 'joining':
      if (event.type === 'transportUp')
        return { state: { kind: 'connected' }, effect: { type: 'flushBuffered' } }
      if (event.type === 'transportDown' || event.type === 'repairFailed' || event.type === 'sessionLost')
        return repair(state, 'rebuild', 0, policy)
      if (event.type === 'retryDue') return stay(state)
      return stay(state)
    case 'connected':
      if (event.type === 'transportDown') return repair(state, event.fatal ? 'rebuild' : 'resume', 0, policy)
      if (event.type === 'sessionLost') return repair(state, 'rebuild', 0, policy)
      return stay(state)
    case 'reconnecting':
      switch (event.type) {
        case 'transportUp':
          return { state: { kind: 'connected' }, effect: { type: 'flushBuffered' } }
        case 'retryDue':
          return { state, effect: { type: state.phase === 'resume' ? 'iceRestart' : 'rebuildSession' } }
        case 'repairFailed':
        case 'transportDown': {
          const nextAttempt = state.attempt + 1
          const phase = state.phase === 'resume' && nextAttempt < RESUME_ATTEMPTS ? 'resume' : 'rebuild'
          return repair(state, phase, phase === state.phase ? nextAttempt : 0, policy)
        }
        case 'sessionLost':
          // Straight to a rebuild; a failed rebuild counts towards the policy's limit like any other.
          return repair(state, 'rebuild', state.phase === 'rebuild' ? state.attempt + 1 : 0, policy)
        case 'join':
        case 'left':
          return stay(state)
        default:
          throw missingCaseError(event)
      }
    case 'leaving':
      return event.type === 'left'
        ? { state: { kind: 'closed', reason: 'left' }, effect: { type: 'none' } }
        : stay(state)
    case 'closed':
      return stay(state)
    default:
      throw missingCaseError(state)
  }
}

function repair(
  _from: CallState,
  phase: 'resume' | 'rebuild',
  attempt: number,
  policy: ReconnectPolicy,
): Transition {
  const delayMs = policy.nextDelayMs(attempt, phase)
  if (delayMs === null) return { state: { kind: 'closed', reason: 'failed' }, effect: { type: 'teardown' } }
  return { state: { kind: 'reconnecting', phase, attempt }, effect: { type: 'scheduleRetry', delayMs } }
}

/**
 * Default policy: an ICE restart at once, then rebuilds backing off 250 ms → 5 s with ±50 % jitter, giving up
 * after `maxRebuilds` (about a minute in all: long enough for a laptop lid or a Wi-Fi switch).
 */
export function defaultReconnectPolicy(
  options: { maxRebuilds?: number; random?: () => number } = {},
): ReconnectPolicy {
  const maxRebuilds = options.maxRebuilds ?? 15
  const random = options.random ?? Math.random
  return {
    nextDelayMs(attempt, phase) {
      if (phase === 'resume') return attempt === 0 ? 0 : 200
      if (attempt >= maxRebuilds) return null
      const base = Math.min(5000, 250 * 2 ** attempt)
      return Math.round(base * (0.5 + random()))
    },
  }
}
