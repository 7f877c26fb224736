import { readdir, stat, unlink } from 'node:fs/promises'
import { join } from 'node:path'
import { AppError } from '../../../shared/errors/AppError'
import type { Logger } from '../../../shared/log/logger'
import { RecordingFileName, type RecordingEntry } from '../../../shared/recording/schemas'
import { finalizeExistingFile, readHeaderFacts } from './WebmFileWriter'

/** Newest first, at most this many: the list is for picking a recent file, not an archive browser. */
const MAX_ENTRIES = 500

/**
 * The recordings folder: list with facts from each file's header, resolve names safely, delete, and repair
 * files a crash left unfinished.
 */
export class RecordingLibrary {
  private repairing: Promise<void> = Promise.resolve()

  constructor(
    readonly folder: string,
    private readonly log: Logger,
    /** The file being written right now, if any: never repaired or deleted. */
    private readonly activeName: () => string | null,
  ) {}

  async list(): Promise<RecordingEntry[]> {
    await this.repairing
    let names: string[]
    try {
      names = await readdir(this.folder)
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return []
      throw error
    }
    const entries: RecordingEntry[] = []
    for (const name of names) {
      if (!RecordingFileName.safeParse(name).success) continue
      const entry = await this.entry(name).catch(() => null)
      if (entry) entries.push(entry)
    }
    return entries.sort((a, b) => b.modifiedAt - a.modifiedAt).slice(0, MAX_ENTRIES)
  }

  async entry(name: string): Promise<RecordingEntry> {
    const path = this.resolve(name)
    const info = await stat(path)
    if (!info.isFile()) throw notFound()
    const recording = this.activeName() === name
    const facts = recording ? null : await readHeaderFacts(path).catch(() => null)
    return {
      name,
      bytes: info.size,
      modifiedAt: info.mtimeMs,
      durationMs: facts?.durationMs ?? null,
      width: facts?.width ?? null,
      height: facts?.height ?? null,
      status: recording ? 'recording' : facts?.finalized ? 'ready' : 'unfinished',
    }
  }

  /** Absolute path of an existing recording; `not_found` otherwise. */
  async pathOf(name: string): Promise<string> {
    const path = this.resolve(name)
    const info = await stat(path).catch(() => null)
    if (!info?.isFile()) throw notFound()
    return path
  }

  async remove(name: string): Promise<void> {
    if (this.activeName() === name) {
      throw AppError.invalidRequest('This recording is still running. Stop it before deleting it.')
    }
    try {
      await unlink(this.resolve(name))
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw notFound()
      throw error
    }
    this.log.info('recording deleted', { name })
  }

  /**
   * Finalise files our writer started but never finished (the app crashed or was killed): they get Duration
   * and Cues so they seek. Runs in the background; `list()` waits for it. Files we did not write are left alone.
   */
  repairUnfinished(): Promise<void> {
    this.repairing = this.repairing.then(async () => {
      let names: string[]
      try {
        names = await readdir(this.folder)
      } catch {
        return
      }
      for (const name of names) {
        if (!RecordingFileName.safeParse(name).success || name === this.activeName()) continue
        const path = join(this.folder, name)
        try {
          const facts = await readHeaderFacts(path)
          if (!facts?.ours || facts.finalized) continue
          const result = await finalizeExistingFile(path)
          this.log.info('repaired an unfinished recording', {
            name,
            durationMs: result ? Math.round(result.durationMs) : null,
          })
        } catch (error) {
          this.log.warn('could not repair a recording', { name, error: String(error) })
        }
      }
    })
    return this.repairing
  }

  private resolve(name: string): string {
    const parsed = RecordingFileName.safeParse(name)
    if (!parsed.success) throw AppError.invalidRequest('That is not a recording file name.')
    return join(this.folder, parsed.data)
  }
}

function notFound(): AppError {
  return new AppError({
    code: 'not_found',
    message: 'That recording is no longer in the recordings folder. Refresh the list.',
    retryable: false,
  })
}
