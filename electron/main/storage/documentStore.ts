import { existsSync, readFileSync, renameSync } from 'node:fs'
import { basename, dirname, join } from 'node:path'
import type { Notice } from '../../../shared/settings/schema'

/**
 * A whole-document JSON store. In the app it is electron-store, in web mode and tests `conf` (electron-store's
 * base); both write atomically (temp file + rename), so a crash mid-write leaves the old or the new file, never half.
 */
export interface DocumentStore {
  /** Where the document lives, for messages and for the corruption check. */
  readonly path: string
  read(): Record<string, unknown>
  write(value: Record<string, unknown>): void
}

export type OpenDocumentStore = (name: 'settings' | 'secrets') => DocumentStore

/**
 * Check a store file before the store library opens it (both throw on invalid JSON, or clear the file if told to,
 * losing it). A file that is not a JSON object is renamed to `<name>.corrupt-<time>.json` next to it, so nothing is
 * lost and the user can recover it; the returned notice tells them.
 */
export function quarantineIfCorrupt(path: string, what: string, now: Date = new Date()): Notice | undefined {
  if (!existsSync(path)) return undefined
  let reason: string | undefined
  try {
    const parsed: unknown = JSON.parse(readFileSync(path, 'utf8'))
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
      reason = 'it is not a JSON object'
  } catch (error) {
    reason = error instanceof SyntaxError ? 'it is not valid JSON' : 'it could not be read'
  }
  if (!reason) return undefined
  const stamp = now.toISOString().replace(/[:.]/g, '-')
  const aside = join(dirname(path), `${basename(path, '.json')}.corrupt-${stamp}.json`)
  renameSync(path, aside)
  return {
    id: `corrupt-${basename(path, '.json')}`,
    level: 'warning',
    message: `Your ${what} file was damaged (${reason}), so Convene started with defaults. The damaged file was kept as ${basename(aside)} in the same folder.`,
  }
}
