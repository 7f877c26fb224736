import { isAbsolute, join, normalize, relative, sep } from 'node:path'

/**
 * Map an `app://convene/<path>` request to a file under the renderer's build folder. Returns null for anything
 * that would leave that folder (`..`, encoded separators, absolute paths) or that is malformed. Paths without a
 * file extension are app routes and get `index.html`.
 */
export function resolveAppAsset(rootDir: string, requestUrl: string): string | null {
  let pathname: string
  try {
    pathname = decodeURIComponent(new URL(requestUrl).pathname)
  } catch {
    return null
  }
  if (pathname.includes('\0') || pathname.includes('\\')) return null
  const rel = normalize(pathname).replace(/^[/\\]+/, '')
  const last = rel.split(sep).pop() ?? ''
  const target = rel === '' || !last.includes('.') ? 'index.html' : rel
  const full = join(rootDir, target)
  const back = relative(rootDir, full)
  if (back.startsWith('..') || isAbsolute(back)) return null
  return full
}
