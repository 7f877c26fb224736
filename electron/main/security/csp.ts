/**
 * The renderer's Content-Security-Policy. No remote scripts, no eval, no inline script; styles may be inline
 * (React style props). `connect-src` allows our own origin plus the web-mode socket; media flows over WebRTC,
 * which CSP does not govern. Main talks to Cloudflare and OpenAI, so the renderer needs no remote origins.
 */
export function contentSecurityPolicy(options: { connect?: readonly string[] } = {}): string {
  const connect = ["'self'", ...(options.connect ?? [])].join(' ')
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "media-src 'self' blob: mediastream:",
    "font-src 'self'",
    `connect-src ${connect}`,
    "worker-src 'self' blob:",
    "frame-src 'none'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ')
}
