import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'

/** Saves summaries as Markdown next to the meeting's other files. */
export interface SummaryFile {
  /** One path segment: the meeting's folder. */
  readonly folder: string
  /** One path segment. */
  readonly fileName: string
  readonly markdown: string
}

export interface SummaryWriter {
  /**
   * Resolves with the absolute path written. Never overwrites: a name in use gets `-2`, `-3`, … Rejects after
   * `SAVE_TIMEOUT_MS` at the latest, so a hung disk cannot keep the assistant busy.
   */
  save(file: SummaryFile): Promise<string>
}

/** A stuck network drive, or Node's recursive mkdir, which never settles under some paths (e.g. in /proc). */
export const SAVE_TIMEOUT_MS = 15_000

/**
 * Files under `baseDir` (Documents/Convene in the app, `<data dir>/meetings` in web mode). Folder and file names
 * come from `meetingFolderName` / `summaryFileName`, which allow no separators, so nothing lands outside.
 */
export function createSummaryWriter(baseDir: string): SummaryWriter {
  return {
    save: (input) => withTimeout(SAVE_TIMEOUT_MS, save(input)),
  }

  async function save({ folder, fileName, markdown }: SummaryFile): Promise<string> {
    if (/[/\\]|^\.\.?$/.test(folder) || /[/\\]|^\.\.?$/.test(fileName)) {
      throw new TypeError('summary folder and file names must be single path segments')
    }
    const dir = join(baseDir, folder)
    await mkdir(dir, { recursive: true, mode: 0o700 })
    const dot = fileName.lastIndexOf('.')
    const stem = dot > 0 ? fileName.slice(0, dot) : fileName
    const ext = dot > 0 ? fileName.slice(dot) : ''
    for (let n = 1; n < 100; n++) {
      const path = join(dir, n === 1 ? fileName : `${stem}-${n}${ext}`)
      try {
        await writeFile(path, markdown, { encoding: 'utf8', flag: 'wx', mode: 0o600 })
        return path
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
      }
    }
    throw new Error('too many summaries with the same name')
  }
}

function withTimeout<T>(ms: number, work: Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms)
  })
  return Promise.race([work, expired]).finally(() => clearTimeout(timer))
}
