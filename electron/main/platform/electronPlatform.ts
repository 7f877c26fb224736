import { join } from 'node:path'
import { app, shell } from 'electron'
import ElectronStore from 'electron-store'
import type { Platform } from '../app/services'
import { consoleSink } from '../../../shared/log/logger'
import { SafeStorageCipher } from './SafeStorageCipher'

export function electronPlatform(): Platform {
  const dir = app.getPath('userData')
  return {
    info: { name: 'Convene', version: app.getVersion(), platform: process.platform, shell: 'electron' },
    pathOf: (name) => join(dir, `${name}.json`),
    openStore: (name) => {
      const store = new ElectronStore<Record<string, unknown>>({ name, cwd: dir })
      return {
        path: store.path,
        read: () => ({ ...store.store }),
        write: (value) => void (store.store = value),
      }
    },
    cipher: new SafeStorageCipher(),
    openExternal: async (url) => {
      await shell.openExternal(url)
      return true
    },
    logSinks: [consoleSink(app.isPackaged ? 'warn' : 'info')],
  }
}
