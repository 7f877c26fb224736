import {
  CancellationToken,
  type AppUpdater,
  type ProgressInfo,
  type UpdateDownloadedEvent,
} from 'electron-updater'
import type { Logger } from '../../../shared/log/logger'
import type { UpdaterPort } from './UpdateService'

export interface ElectronUpdaterPortOptions {
  /** electron-updater's `autoUpdater` in the app; a constructed `AppImageUpdater` (or other) in tests. */
  readonly updater: AppUpdater
  readonly log: Logger
  /**
   * A generic-provider feed to use instead of the `app-update.yml` that electron-builder writes from the `publish`
   * config. Tests point it at a local server.
   */
  readonly feedUrl?: string
}

/**
 * The thin adapter between the update policy and electron-updater. It only translates: the policy decides when to
 * check, download and install. Verification stays electron-updater's: sha512 on every download (a cached file is
 * re-hashed too) and, on Windows, the Authenticode publisher check. Nothing here weakens either.
 */
export function createElectronUpdaterPort(
  options: ElectronUpdaterPortOptions,
): UpdaterPort & { setLogger(log: Logger): void } {
  const { updater } = options
  let log = options.log
  // The policy decides when to download. Install-on-quit stays on: electron-updater registers its quit handler only
  // when a download has passed verification, and only if this flag is set at that moment; the policy turns it off
  // right after when the user chose manual updates.
  updater.autoDownload = false
  updater.autoInstallOnAppQuit = true
  // Web installers fetch a second package after the signed stub; we publish full installers only.
  updater.disableWebInstaller = true
  updater.allowDowngrade = false
  updater.logger = {
    info: (message?: unknown) => log.debug(String(message).slice(0, 500)),
    warn: (message?: unknown) => log.warn(String(message).slice(0, 500)),
    error: (message?: unknown) => log.warn(String(message).slice(0, 500)),
  }
  // electron-updater also reports failures as `error` events; the promises below carry them to the policy, and an
  // EventEmitter without an `error` listener would throw.
  updater.on('error', () => undefined)
  if (options.feedUrl) updater.setFeedURL({ provider: 'generic', url: options.feedUrl })

  let token: CancellationToken | null = null
  let lastVersion: string | null = null

  return {
    supported: updater.isUpdaterActive(),
    currentVersion: updater.currentVersion.version,

    async check() {
      const result = await updater.checkForUpdates()
      if (!result) {
        throw Object.assign(new Error('The updater is not active in this build.'), {
          code: 'ERR_UPDATER_INACTIVE',
        })
      }
      lastVersion = result.updateInfo.version
      return { available: result.isUpdateAvailable, version: result.updateInfo.version }
    },

    async download(onProgress) {
      const mine = new CancellationToken()
      token = mine
      let downloaded: string | null = null
      const progress = (p: ProgressInfo): void =>
        onProgress({
          percent: p.percent,
          transferred: p.transferred,
          total: p.total,
          bytesPerSecond: p.bytesPerSecond,
        })
      const done = (event: UpdateDownloadedEvent): void => void (downloaded = event.version)
      updater.on('download-progress', progress)
      updater.on('update-downloaded', done)
      try {
        await updater.downloadUpdate(mine)
        // `update-downloaded` fires only after the file passed verification and was moved into place.
        const version = downloaded ?? lastVersion
        if (version === null) throw new Error('The download finished without a version.')
        return { outcome: 'downloaded', version }
      } catch (error) {
        if (mine.cancelled) return { outcome: 'cancelled' }
        throw error
      } finally {
        updater.off('download-progress', progress)
        updater.off('update-downloaded', done)
        if (token === mine) token = null
      }
    },

    cancelDownload() {
      token?.cancel()
    },

    install() {
      // electron-updater reports a failed install as a synchronous `error` event, not a throw: catch it here.
      let failure: unknown = null
      const onError = (error: unknown): void => void (failure ??= error)
      updater.on('error', onError)
      try {
        // Not silent: on Windows the NSIS installer shows its progress; Convene starts again afterwards.
        updater.quitAndInstall(false, true)
      } finally {
        updater.off('error', onError)
      }
      if (failure !== null) throw failure
    },

    setInstallOnQuit(value) {
      updater.autoInstallOnAppQuit = value
    },

    /** The port exists before services (it is part of the platform); their logger arrives later. */
    setLogger(next) {
      log = next
    },
  }
}
