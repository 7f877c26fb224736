import { AppError } from '../../../shared/errors/AppError'
import { CLOSE_CODES, FINAL_CLOSE_REASONS, type CloseReason } from '../../../shared/room/protocol'

/**
 * The room connection's lifecycle as a transition table (STYLE.md rule 10): one state, no flags. `RoomClient`
 * feeds it socket events and acts on the state it lands in.
 */
export type ConnectionState =
  'idle' | 'connecting' | 'joining' | 'waiting' | 'joined' | 'reconnecting' | 'closed'

export type ConnectionEvent =
  | 'start'
  /** The socket opened; `join` goes out. */
  | 'open'
  | 'welcome'
  /** Placed in the waiting room. */
  | 'waiting'
  /** The socket closed or went silent, for a reason worth retrying. */
  | 'drop'
  /** The backoff delay passed. */
  | 'retry'
  /** Closed for good: left, removed, ended, denied, refused. */
  | 'final'

const table: Readonly<Record<ConnectionState, Partial<Record<ConnectionEvent, ConnectionState>>>> = {
  idle: { start: 'connecting', final: 'closed' },
  connecting: { open: 'joining', drop: 'reconnecting', final: 'closed' },
  joining: { welcome: 'joined', waiting: 'waiting', drop: 'reconnecting', final: 'closed' },
  waiting: { welcome: 'joined', drop: 'reconnecting', final: 'closed' },
  joined: { welcome: 'joined', drop: 'reconnecting', final: 'closed' },
  reconnecting: { retry: 'connecting', final: 'closed' },
  closed: {},
}

/** The next state, or null when the event means nothing in this state (a late socket event, say). */
export function nextConnectionState(state: ConnectionState, event: ConnectionEvent): ConnectionState | null {
  return table[state][event] ?? null
}

/** How long to wait before reconnect attempt `attempt` (1-based), or null to stop trying. */
export type ReconnectPolicy = (attempt: number) => number | null

/**
 * Exponential backoff with full jitter (a random delay in [0, min(cap, base·2^(attempt-1))]), never giving up:
 * a meeting client should come back whenever the network does. Jitter spreads a room's reconnects after a server
 * restart so they do not all arrive in the same millisecond.
 */
export function backoffWithJitter(
  options: { baseMs?: number; capMs?: number; random?: () => number } = {},
): ReconnectPolicy {
  const base = options.baseMs ?? 250
  const cap = options.capMs ?? 10_000
  const random = options.random ?? Math.random
  return (attempt) => Math.round(random() * Math.min(cap, base * 2 ** Math.min(30, attempt - 1)))
}

/** Close reasons (or, without a `closing` frame, WebSocket close codes) after which reconnecting is pointless. */
export function isFinalClose(reason: CloseReason | null, code: number): boolean {
  if (reason !== null) return FINAL_CLOSE_REASONS.has(reason)
  return [...FINAL_CLOSE_REASONS].some((r) => CLOSE_CODES[r] === code && code !== 1000)
}

/** Why a join failed for good, as the error the renderer shows. */
export function closedError(reason: string): AppError {
  switch (reason) {
    case 'unauthorized':
      return new AppError({
        code: 'unauthorized',
        message: 'The room did not accept your invitation (expired or for another room). Ask for a new link.',
        retryable: false,
      })
    case 'room_locked':
      return AppError.forbidden('The host has locked this meeting.')
    case 'room_full':
      return AppError.forbidden('This meeting is full.')
    case 'denied':
      return AppError.forbidden('The host did not let you in.')
    default:
      return new AppError({
        code: 'closed',
        message: `The meeting connection closed (${reason}).`,
        retryable: false,
      })
  }
}
