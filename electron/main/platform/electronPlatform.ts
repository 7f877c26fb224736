import { join } from 'node:path'
import { app, shell } from 'electron'
import ElectronStore from 'electron-store'
import type { Platform } from '../app/services'
import { consoleSink } from '../../../shared/log/logger'
import { listCaptureSources, revealInFolder } from './recordingCapture'
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
    // Recording (issue 8): files in the user's Videos folder, shown through the OS file manager.
    recordingsDir: join(app.getPath('videos'), 'Convene'),
    // AI assistant (issue 9): meeting summaries as Markdown in Documents/Convene.
    meetingFilesDir: join(app.getPath('documents'), 'Convene'),
    revealInFolder,
    captureSources: listCaptureSources,
  }
}
