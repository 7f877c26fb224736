import { z } from 'zod'
import { DEFAULT_ROOM_CONFIG, type RoomConfig } from '../../shared/room/state'
import type { RoomObject } from './room/RoomObject'

/** Bindings, vars and secrets of the Worker (wrangler.jsonc; secrets via `wrangler secret put`). */
export interface Env {
  readonly ROOMS: DurableObjectNamespace<RoomObject>
  /** HMAC key for join tokens. */
  readonly JOIN_TOKEN_SECRET?: string
  /** Bearer token of whoever may mint join tokens (the organisation's sign-in service, or an admin). */
  readonly ADMIN_TOKEN?: string
  readonly CALLS_APP_ID?: string
  readonly CALLS_APP_SECRET?: string
  /** The Calls API base; tests point it at a stub. */
  readonly CALLS_API_BASE?: string
  readonly ROOM_HEARTBEAT_TIMEOUT_MS?: string
  readonly ROOM_GRACE_MS?: string
  readonly ROOM_RETENTION_MS?: string
  readonly ROOM_RATE_PER_SECOND?: string
  readonly ROOM_RATE_BURST?: string
  /** "1" enables the clock hook the workerd tests use; never set it in production. */
  readonly ROOM_TEST_HOOKS?: string
}

/** A deployment mistake (a missing secret): answered as 500 with a message for the operator, not the caller. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError'
}

const Secret = (name: string) =>
  z
    .string({ error: `${name} is not set. Run \`wrangler secret put ${name}\`.` })
    .min(16, { error: `${name} is too short; use at least 16 random characters.` })

export function requireSecret(
  env: Env,
  name: 'JOIN_TOKEN_SECRET' | 'ADMIN_TOKEN' | 'CALLS_APP_SECRET',
): string {
  const parsed = Secret(name).safeParse(env[name])
  if (!parsed.success) throw new ConfigError(parsed.error.issues[0]?.message ?? `${name} is invalid`)
  return parsed.data
}

export function callsUpstream(env: Env): { base: string; appId: string; secret: string } {
  const appId = z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,64}$/)
    .safeParse(env.CALLS_APP_ID)
  if (!appId.success) throw new ConfigError('CALLS_APP_ID is not set in wrangler.jsonc vars.')
  const base = z
    .url({ protocol: /^https?$/ })
    .safeParse(env.CALLS_API_BASE || 'https://rtc.live.cloudflare.com/v1')
  if (!base.success) throw new ConfigError('CALLS_API_BASE is not a URL.')
  return {
    base: base.data.replace(/\/+$/, ''),
    appId: appId.data,
    secret: requireSecret(env, 'CALLS_APP_SECRET'),
  }
}

const Millis = z.coerce
  .number()
  .int()
  .positive()
  .max(30 * 24 * 60 * 60 * 1000)

/** The room core's config with any overrides from vars (empty strings mean "default"). */
export function roomConfig(env: Env): RoomConfig {
  const pick = (value: string | undefined, fallback: number): number => {
    if (value === undefined || value === '') return fallback
    const parsed = Millis.safeParse(value)
    if (!parsed.success) throw new ConfigError(`A ROOM_* var is not a positive integer: "${value}".`)
    return parsed.data
  }
  return {
    ...DEFAULT_ROOM_CONFIG,
    heartbeatTimeoutMs: pick(env.ROOM_HEARTBEAT_TIMEOUT_MS, DEFAULT_ROOM_CONFIG.heartbeatTimeoutMs),
    graceMs: pick(env.ROOM_GRACE_MS, DEFAULT_ROOM_CONFIG.graceMs),
    retentionMs: pick(env.ROOM_RETENTION_MS, DEFAULT_ROOM_CONFIG.retentionMs),
    ratePerSecond: pick(env.ROOM_RATE_PER_SECOND, DEFAULT_ROOM_CONFIG.ratePerSecond),
    rateBurst: pick(env.ROOM_RATE_BURST, DEFAULT_ROOM_CONFIG.rateBurst),
  }
}
