import type { BackendTarget, IceServer } from '../../../shared/calls/ipc'
import type { SecretName, SettingsV1 } from '../../../shared/settings/schema'
import { missingCaseError } from '../../../shared/errors/AppError'

/**
 * How requests prove who they are. All three backends take a bearer token today (Cloudflare: the app secret or
 * TURN API token; Convene Worker: the user's token; embedded SFU: a per-launch token); `none` exists for tests
 * and for an SFU that trusts loopback.
 */
export type AuthStrategy = { readonly type: 'bearer'; readonly token: string } | { readonly type: 'none' }

/** A resolved API base: every Calls path is appended to `baseUrl` (no trailing slash). */
export interface Endpoint {
  readonly kind: BackendTarget
  readonly baseUrl: string
  readonly auth: AuthStrategy
}

/** Where Calls requests go right now; asked before every attempt, so a settings change applies to the next one. */
export type ResolveCallsTarget = () => Endpoint | Promise<Endpoint>

/** Where ICE servers come from: a TURN credentials API, or a fixed list (STUN only, or nothing on a LAN). */
export type TurnSource =
  | { readonly type: 'api'; readonly endpoint: Endpoint }
  | { readonly type: 'static'; readonly kind: BackendTarget; readonly iceServers: readonly IceServer[] }

export type ResolveTurnSource = () => TurnSource | Promise<TurnSource>

/** The embedded SFU's address and launch token, supplied by whoever starts it. */
export interface LocalSfuEndpoint {
  /** e.g. `http://127.0.0.1:40123/v1/apps/local` */
  readonly baseUrl: string
  readonly token: string
}

/**
 * Thrown by a resolver when the current backend cannot be used yet. `settings`: something is missing in
 * Settings (the user must act). `unavailable`: the backend is not running yet (it may come up; retry helps).
 */
export class TargetUnavailableError extends Error {
  override readonly name = 'TargetUnavailableError'
  constructor(
    readonly kind: 'settings' | 'unavailable',
    readonly target: BackendTarget,
    message: string,
  ) {
    super(message)
  }
}

export const CLOUDFLARE_API_BASE = 'https://rtc.live.cloudflare.com/v1'
/** Cloudflare's free STUN server: used when no TURN key is configured. */
export const CLOUDFLARE_STUN: IceServer = { urls: ['stun:stun.cloudflare.com:3478'] }

export interface SettingsTargetDeps {
  readonly settings: { readonly current: SettingsV1 }
  readonly vault: { get(name: SecretName): string | undefined }
  /** The embedded SFU, or undefined while it is not running. */
  readonly localSfu: () => LocalSfuEndpoint | undefined
  /** `https://rtc.live.cloudflare.com/v1` in production; tests point it at the fake server. */
  readonly cloudflareApiBase: string
}

const trimSlash = (url: string) => url.replace(/\/+$/, '')

/** The Calls target chosen in Settings, with its credential from the vault. */
export function settingsCallsTarget(deps: SettingsTargetDeps): ResolveCallsTarget {
  return () => {
    const { backend, cloudflare, worker } = deps.settings.current
    switch (backend) {
      case 'cloudflare': {
        const secret = deps.vault.get('callsAppSecret')
        if (!cloudflare.appId || !secret) {
          throw new TargetUnavailableError(
            'settings',
            'cloudflare',
            'Cloudflare Calls is selected but the app ID or app secret is missing. Add both in Settings.',
          )
        }
        return {
          kind: 'cloudflare',
          baseUrl: `${trimSlash(deps.cloudflareApiBase)}/apps/${encodeURIComponent(cloudflare.appId)}`,
          auth: { type: 'bearer', token: secret },
        }
      }
      case 'worker': {
        const token = deps.vault.get('workerToken')
        if (!worker.url || !token) {
          throw new TargetUnavailableError(
            'settings',
            'worker',
            'A Convene server is selected but its address or sign-in token is missing. Add both in Settings.',
          )
        }
        return {
          kind: 'worker',
          baseUrl: `${trimSlash(worker.url)}/calls/v1/apps/convene`,
          auth: { type: 'bearer', token },
        }
      }
      case 'local': {
        const local = deps.localSfu()
        if (!local) {
          throw new TargetUnavailableError(
            'unavailable',
            'local',
            'The built-in media server is not running yet. Wait a moment, or restart Convene.',
          )
        }
        return {
          kind: 'local',
          baseUrl: trimSlash(local.baseUrl),
          auth: { type: 'bearer', token: local.token },
        }
      }
      default:
        throw missingCaseError(backend)
    }
  }
}

/**
 * ICE servers for the chosen backend. Cloudflare: the TURN key from Settings (STUN only without one). Convene
 * Worker: its TURN proxy at `<url>/calls/v1/turn/keys/convene` (same paths as Cloudflare's). Local: none; on
 * one machine or a LAN host candidates connect directly.
 */
export function settingsTurnSource(deps: SettingsTargetDeps): ResolveTurnSource {
  return () => {
    const { backend, cloudflare, worker } = deps.settings.current
    switch (backend) {
      case 'cloudflare': {
        const token = deps.vault.get('turnApiToken')
        if (!cloudflare.turnKeyId || !token) {
          return { type: 'static', kind: 'cloudflare', iceServers: [CLOUDFLARE_STUN] }
        }
        return {
          type: 'api',
          endpoint: {
            kind: 'cloudflare',
            baseUrl: `${trimSlash(deps.cloudflareApiBase)}/turn/keys/${encodeURIComponent(cloudflare.turnKeyId)}`,
            auth: { type: 'bearer', token },
          },
        }
      }
      case 'worker': {
        const token = deps.vault.get('workerToken')
        if (!worker.url || !token) {
          throw new TargetUnavailableError(
            'settings',
            'worker',
            'A Convene server is selected but its address or sign-in token is missing. Add both in Settings.',
          )
        }
        return {
          type: 'api',
          endpoint: {
            kind: 'worker',
            baseUrl: `${trimSlash(worker.url)}/calls/v1/turn/keys/convene`,
            auth: { type: 'bearer', token },
          },
        }
      }
      case 'local':
        return { type: 'static', kind: 'local', iceServers: [] }
      default:
        throw missingCaseError(backend)
    }
  }
}
