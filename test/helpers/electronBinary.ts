import { existsSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'

/**
 * The Electron executable if one is installed, else null. Reads electron's `path.txt` directly: importing the
 * `electron` package from Node would start downloading a missing binary.
 */
export function electronBinary(root = resolve('.')): string | null {
  const pkg = join(root, 'node_modules', 'electron')
  const pathFile = join(pkg, 'path.txt')
  if (!existsSync(pathFile)) return null
  const exe = join(pkg, 'dist', readFileSync(pathFile, 'utf8').trim())
  return existsSync(exe) ? exe : null
}

export const ELECTRON_SKIP_REASON = 'skipped: electron binary unavailable'
