import { isAppUrl, isDevServerUrl } from './origin'

/**
 * The only permissions Convene's own pages may have. Everything else (geolocation, notifications from web
 * content, MIDI, USB, HID, serial, pointer lock, openExternal, ...) is denied, and nothing is granted to any
 * other origin.
 */
export const ALLOWED_PERMISSIONS: ReadonlySet<string> = new Set([
  'media',
  'display-capture',
  'fullscreen',
  'clipboard-sanitized-write',
])

export interface PermissionQuery {
  readonly permission: string
  /** The requesting frame's URL or origin (Electron gives one or the other depending on the handler). */
  readonly origin: string | undefined
  /** For `media`: which kinds are requested; only audio and video are ever allowed. */
  readonly mediaTypes?: readonly string[] | undefined
}

/** One policy for both `setPermissionRequestHandler` and `setPermissionCheckHandler`. */
export function isPermissionAllowed(query: PermissionQuery, devServer?: string): boolean {
  if (!ALLOWED_PERMISSIONS.has(query.permission)) return false
  if (!isAppUrl(query.origin) && !isDevServerUrl(query.origin, devServer)) return false
  if (query.permission === 'media' && query.mediaTypes) {
    return query.mediaTypes.every((t) => t === 'audio' || t === 'video')
  }
  return true
}
