import { BrowserWindow, session, shell, type Session } from 'electron'
import { isSafeExternalUrl } from '../security/navigation'
import { isAppUrl, isDevServerUrl } from '../security/origin'
import { isPermissionAllowed } from '../security/permissions'
import { mainWindowOptions } from './mainWindowOptions'

/** Lock a session down: permissions through our policy only, for requests and for checks alike. */
export function hardenSession(ses: Session, devServer?: string): void {
  // Drop whatever a previous handler granted before installing ours.
  ses.setPermissionRequestHandler(null)
  ses.setPermissionRequestHandler((contents, permission, callback, details) => {
    const mediaTypes = 'mediaTypes' in details ? details.mediaTypes : undefined
    callback(
      isPermissionAllowed(
        { permission, origin: details.requestingUrl ?? contents.getURL(), mediaTypes },
        devServer,
      ),
    )
  })
  ses.setPermissionCheckHandler((_contents, permission, requestingOrigin) =>
    isPermissionAllowed({ permission, origin: requestingOrigin }, devServer),
  )
}

export function createMainWindow(options: {
  preloadPath: string
  startUrl: string
  devServer?: string
}): BrowserWindow {
  const { devServer } = options
  hardenSession(session.defaultSession, devServer)
  const win = new BrowserWindow(mainWindowOptions(options.preloadPath))
  const contents = win.webContents

  // Links that try to open a window go to the system browser when they are plain https; nothing opens in-app.
  contents.setWindowOpenHandler(({ url }) => {
    if (isSafeExternalUrl(url)) void shell.openExternal(url)
    return { action: 'deny' }
  })
  const blockNavigation = (event: Electron.Event, url: string): void => {
    if (isAppUrl(url) || isDevServerUrl(url, devServer)) return
    event.preventDefault()
  }
  contents.on('will-navigate', blockNavigation)
  contents.on('will-redirect', blockNavigation)
  contents.on('will-attach-webview', (event) => event.preventDefault())
  win.once('ready-to-show', () => win.show())
  void win.loadURL(options.startUrl)
  return win
}
