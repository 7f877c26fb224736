/** The custom scheme the renderer is served from (never `file://`). */
export const APP_SCHEME = 'app'
export const APP_HOST = 'convene'
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`

/** True when `raw` is a URL on our own origin. Compares parsed origins, never string prefixes. */
export function isAppUrl(raw: string | undefined | null): boolean {
  if (!raw) return false
  try {
    const url = new URL(raw)
    return url.protocol === `${APP_SCHEME}:` && url.host === APP_HOST
  } catch {
    return false
  }
}

/** The dev server origin, when the app runs under `electron-vite dev`. */
export function isDevServerUrl(raw: string | undefined | null, devServer: string | undefined): boolean {
  if (!raw || !devServer) return false
  try {
    return new URL(raw).origin === new URL(devServer).origin
  } catch {
    return false
  }
}
