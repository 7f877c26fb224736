import { missingCaseError } from '../../../shared/errors/AppError'

/**
 * The auto-update policy as a pure state machine: `transition(state, event, now)` returns the next state and the
 * effects for the adapter to carry out. No I/O, no timers, no electron-updater here.
 *
 * Rules:
 * - Check on start and then daily, but only while automatic updates are on; a check the user asks for always runs.
 * - A found update downloads in the background, but never during a meeting: a download that is running when a
 *   meeting starts is cancelled and resumes when it ends (a call needs the bandwidth).
 * - Install only from `downloaded` (a download that the updater verified: sha512 and, on Windows, the publisher's
 *   signature), only outside a meeting, and only when the user asks; otherwise electron-updater installs on quit.
 * - A failed check or download (server down, corrupt file, bad signature) is reported and retried with backoff.
 *   It never reaches `downloaded`, so it can never be installed.
 */

export const DAY_MS = 24 * 60 * 60 * 1000

/** Waits after the 1st, 2nd, … consecutive failure; the last value repeats. */
export const RETRY_DELAYS_MS: readonly number[] = [
  60_000,
  5 * 60_000,
  30 * 60_000,
  2 * 3_600_000,
  6 * 3_600_000,
]

export interface DownloadProgress {
  readonly percent: number
  readonly transferred: number
  readonly total: number
  readonly bytesPerSecond: number
}

export type FailureStage = 'check' | 'download' | 'install'

export interface UpdateFailure {
  readonly stage: FailureStage
  /** electron-updater's error code (`ERR_CHECKSUM_MISMATCH`, `ECONNREFUSED`, …) when there is one. */
  readonly code: string | null
  /** For the user: what happened and what happens next. */
  readonly message: string
}

export type UpdatePhase =
  | { readonly kind: 'idle' }
  | { readonly kind: 'checking'; readonly manual: boolean }
  | { readonly kind: 'upToDate'; readonly latest: string }
  /** Found, waiting for the meeting to end before downloading. */
  | { readonly kind: 'available'; readonly version: string }
  | { readonly kind: 'downloading'; readonly version: string; readonly progress: DownloadProgress | null }
  /** A meeting started mid-download: cancel sent, waiting for the download to stop. */
  | { readonly kind: 'pausing'; readonly version: string }
  | { readonly kind: 'downloaded'; readonly version: string }
  | { readonly kind: 'installing'; readonly version: string }
  | { readonly kind: 'failed'; readonly failure: UpdateFailure }

export interface UpdatePolicyState {
  /** The user's "check for updates automatically" setting. */
  readonly autoUpdate: boolean
  /** False when there is nothing to update (dev build, web mode, unsupported package): the policy stays idle. */
  readonly supported: boolean
  readonly inMeeting: boolean
  readonly phase: UpdatePhase
  /** Consecutive failures, for the backoff. */
  readonly failures: number
  readonly lastCheckedAt: number | null
  /** When the next automatic check is due (epoch ms); null when none is planned. */
  readonly nextCheckAt: number | null
}

export type UpdateEvent =
  | { readonly type: 'started' }
  /** The adapter's timer fired (it is armed for `nextCheckAt`). */
  | { readonly type: 'timer' }
  | { readonly type: 'checkRequested' }
  | { readonly type: 'installRequested' }
  | { readonly type: 'autoUpdateChanged'; readonly enabled: boolean }
  | { readonly type: 'meetingChanged'; readonly inMeeting: boolean }
  | { readonly type: 'updateAvailable'; readonly version: string }
  | { readonly type: 'updateNotAvailable'; readonly latest: string }
  | { readonly type: 'progress'; readonly progress: DownloadProgress }
  | { readonly type: 'downloaded'; readonly version: string }
  | { readonly type: 'downloadCancelled' }
  | { readonly type: 'failed'; readonly failure: UpdateFailure }

export type UpdateEffect =
  | { readonly type: 'check' }
  | { readonly type: 'download' }
  | { readonly type: 'cancelDownload' }
  | { readonly type: 'install' }
  /** Whether electron-updater may install the downloaded update when the app quits. */
  | { readonly type: 'setInstallOnQuit'; readonly value: boolean }
  /** A user request that cannot be honoured now; the adapter tells the user why. */
  | { readonly type: 'refused'; readonly reason: RefusalReason }

export type RefusalReason = 'unsupported' | 'inMeeting' | 'notDownloaded'

export interface Transition {
  readonly state: UpdatePolicyState
  readonly effects: readonly UpdateEffect[]
}

export function initialUpdateState(options: {
  readonly autoUpdate: boolean
  readonly supported: boolean
  readonly inMeeting?: boolean
}): UpdatePolicyState {
  return {
    autoUpdate: options.autoUpdate,
    supported: options.supported,
    inMeeting: options.inMeeting ?? false,
    phase: { kind: 'idle' },
    failures: 0,
    lastCheckedAt: null,
    nextCheckAt: null,
  }
}

export function retryDelay(failures: number): number {
  const index = Math.min(Math.max(failures, 1), RETRY_DELAYS_MS.length) - 1
  return RETRY_DELAYS_MS[index] ?? DAY_MS
}

const same = (state: UpdatePolicyState): Transition => ({ state, effects: [] })

function startCheck(state: UpdatePolicyState, now: number, manual: boolean): Transition {
  return {
    state: { ...state, phase: { kind: 'checking', manual }, lastCheckedAt: now, nextCheckAt: null },
    effects: [{ type: 'check' }],
  }
}

function startDownload(state: UpdatePolicyState, version: string): Transition {
  if (state.inMeeting) return { state: { ...state, phase: { kind: 'available', version } }, effects: [] }
  return {
    state: { ...state, phase: { kind: 'downloading', version, progress: null } },
    effects: [{ type: 'download' }],
  }
}

/** Phases from which a new check may start. */
function canCheck(phase: UpdatePhase): boolean {
  return phase.kind === 'idle' || phase.kind === 'upToDate' || phase.kind === 'failed'
}

export function transition(state: UpdatePolicyState, event: UpdateEvent, now: number): Transition {
  const { phase } = state
  switch (event.type) {
    case 'started':
      if (!state.supported || !state.autoUpdate || !canCheck(phase)) return same(state)
      return startCheck(state, now, false)

    case 'timer':
      if (!state.supported || !state.autoUpdate || state.nextCheckAt === null || now < state.nextCheckAt) {
        return same(state)
      }
      return canCheck(phase) ? startCheck(state, now, false) : same(state)

    case 'checkRequested':
      if (!state.supported) return { state, effects: [{ type: 'refused', reason: 'unsupported' }] }
      return canCheck(phase) ? startCheck(state, now, true) : same(state)

    case 'installRequested':
      if (phase.kind !== 'downloaded') {
        return { state, effects: [{ type: 'refused', reason: 'notDownloaded' }] }
      }
      if (state.inMeeting) return { state, effects: [{ type: 'refused', reason: 'inMeeting' }] }
      return {
        state: { ...state, phase: { kind: 'installing', version: phase.version } },
        effects: [{ type: 'install' }],
      }

    case 'autoUpdateChanged': {
      if (event.enabled === state.autoUpdate) return same(state)
      const next: UpdatePolicyState = { ...state, autoUpdate: event.enabled }
      if (!event.enabled) {
        const off: UpdatePolicyState = { ...next, nextCheckAt: null }
        switch (phase.kind) {
          case 'downloading':
            return { state: { ...off, phase: { kind: 'idle' } }, effects: [{ type: 'cancelDownload' }] }
          case 'available':
          case 'pausing':
            return { state: { ...off, phase: { kind: 'idle' } }, effects: [] }
          case 'downloaded':
            return { state: off, effects: [{ type: 'setInstallOnQuit', value: false }] }
          default:
            return same(off)
        }
      }
      if (phase.kind === 'downloaded')
        return { state: next, effects: [{ type: 'setInstallOnQuit', value: true }] }
      return state.supported && canCheck(phase) ? startCheck(next, now, false) : same(next)
    }

    case 'meetingChanged': {
      if (event.inMeeting === state.inMeeting) return same(state)
      const next: UpdatePolicyState = { ...state, inMeeting: event.inMeeting }
      if (event.inMeeting && phase.kind === 'downloading') {
        return {
          state: { ...next, phase: { kind: 'pausing', version: phase.version } },
          effects: [{ type: 'cancelDownload' }],
        }
      }
      // Leaving `pausing` waits for the cancelled download to settle (see downloadCancelled).
      if (!event.inMeeting && phase.kind === 'available') return startDownload(next, phase.version)
      return same(next)
    }

    case 'updateAvailable':
      if (phase.kind !== 'checking') return same(state)
      return startDownload({ ...state, failures: 0 }, event.version)

    case 'updateNotAvailable':
      if (phase.kind !== 'checking') return same(state)
      return same({
        ...state,
        phase: { kind: 'upToDate', latest: event.latest },
        failures: 0,
        nextCheckAt: state.autoUpdate ? now + DAY_MS : null,
      })

    case 'progress':
      if (phase.kind !== 'downloading') return same(state)
      return same({ ...state, phase: { ...phase, progress: event.progress } })

    case 'downloaded':
      // A download that finished just as a meeting started still counts: installing waits for a click or quit.
      if (phase.kind !== 'downloading' && phase.kind !== 'pausing') return same(state)
      return {
        state: {
          ...state,
          phase: { kind: 'downloaded', version: event.version },
          failures: 0,
          nextCheckAt: null,
        },
        // With automatic updates off, a download the user asked for still waits for their click.
        effects: [{ type: 'setInstallOnQuit', value: state.autoUpdate }],
      }

    case 'downloadCancelled':
      return settlePause(state)

    case 'failed': {
      // The cancellation we asked for surfaces as a failed download; it is a pause, not a failure.
      if (phase.kind === 'pausing' && event.failure.stage === 'download') return settlePause(state)
      const active =
        (phase.kind === 'checking' && event.failure.stage === 'check') ||
        (phase.kind === 'downloading' && event.failure.stage === 'download') ||
        (phase.kind === 'installing' && event.failure.stage === 'install')
      if (!active) return same(state)
      const failures = state.failures + 1
      return {
        state: {
          ...state,
          phase: { kind: 'failed', failure: event.failure },
          failures,
          nextCheckAt: state.autoUpdate ? now + retryDelay(failures) : null,
        },
        effects: phase.kind === 'installing' ? [{ type: 'setInstallOnQuit', value: false }] : [],
      }
    }

    default:
      throw missingCaseError(event)
  }
}

function settlePause(state: UpdatePolicyState): Transition {
  const { phase } = state
  if (phase.kind !== 'pausing') return same(state)
  return startDownload(state, phase.version)
}

/** Whether the user may press "Restart and install" now. */
export function canInstallNow(state: UpdatePolicyState): boolean {
  return state.phase.kind === 'downloaded' && !state.inMeeting
}
