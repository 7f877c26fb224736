import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import { z } from 'zod'
import type { Logger } from '../../../shared/log/logger'
import type { Notice } from '../../../shared/settings/schema'
import { quarantineIfCorrupt } from '../storage/documentStore'
import { SavedWindowState } from './windowState'

/** `desktop.json`: shell-only preferences the web mode never has. Each field falls back to its default alone. */
export const DesktopPrefs = z.object({
  /** "Check for updates automatically". */
  autoUpdate: z.boolean().catch(true).default(true),
  window: SavedWindowState.nullable().catch(null).default(null),
})
export type DesktopPrefs = z.infer<typeof DesktopPrefs>

/**
 * A small JSON file beside the settings: read once, written whole through a temp file and a rename, so a crash
 * leaves the old or the new file. A damaged file is set aside (see `quarantineIfCorrupt`) and defaults are used.
 * With no path (web mode, tests) it lives in memory only.
 */
export class DesktopPrefsStore {
  private constructor(
    private readonly path: string | null,
    private prefs: DesktopPrefs,
    private readonly log: Logger,
  ) {}

  static open(path: string | null, log: Logger, notices: Notice[] = []): DesktopPrefsStore {
    if (path === null) return new DesktopPrefsStore(null, DesktopPrefs.parse({}), log)
    const corrupt = quarantineIfCorrupt(path, 'desktop preferences')
    if (corrupt) notices.push(corrupt)
    let raw: unknown = {}
    try {
      raw = JSON.parse(readFileSync(path, 'utf8'))
    } catch {
      // Missing (first run) or just quarantined: defaults.
    }
    const parsed = DesktopPrefs.safeParse(raw)
    return new DesktopPrefsStore(path, parsed.success ? parsed.data : DesktopPrefs.parse({}), log)
  }

  get(): DesktopPrefs {
    return this.prefs
  }

  update(patch: Partial<DesktopPrefs>): void {
    this.prefs = { ...this.prefs, ...patch }
    if (this.path === null) return
    const temp = `${this.path}.${process.pid}.tmp`
    try {
      mkdirSync(dirname(this.path), { recursive: true })
      writeFileSync(temp, `${JSON.stringify(this.prefs, null, 2)}\n`, { mode: 0o600 })
      renameSync(temp, this.path)
    } catch (error) {
      // Losing a window position is not worth interrupting anyone for.
      this.log.warn('could not save desktop preferences', { error: String(error).slice(0, 200) })
    }
  }
}
