import { appendFileSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import Conf from 'conf'
import type { Platform } from '../../../electron/main/app/services'
import type { LogSink } from '../../../shared/log/logger'
import { KeyFileCipher } from './KeyFileCipher'

/** JSON-lines log file; entries arrive already redacted. */
export function fileSink(path: string): LogSink {
  return (entry) => appendFileSync(path, `${JSON.stringify(entry)}\n`, { mode: 0o600 })
}

/** The Node replacements for Electron-only parts, behind the same `Platform` interface. */
export function nodePlatform(options: {
  dataDir: string
  version: string
  logSinks?: readonly LogSink[]
}): Platform {
  const { dataDir } = options
  mkdirSync(dataDir, { recursive: true, mode: 0o700 })
  return {
    info: { name: 'Convene', version: options.version, platform: process.platform, shell: 'web' },
    pathOf: (name) => join(dataDir, `${name}.json`),
    openStore: (name) => {
      const store = new Conf<Record<string, unknown>>({
        cwd: dataDir,
        configName: name,
        projectName: 'convene',
      })
      return {
        path: store.path,
        read: () => ({ ...store.store }),
        write: (value) => void (store.store = value),
      }
    },
    cipher: new KeyFileCipher(join(dataDir, 'vault.key')),
    // The host may run on another machine than the browser: it never opens windows itself.
    openExternal: async () => false,
    logSinks: [fileSink(join(dataDir, 'convene.log')), ...(options.logSinks ?? [])],
  }
}
