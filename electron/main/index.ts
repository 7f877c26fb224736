import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { app, BrowserWindow, ipcMain, net, protocol, session, utilityProcess } from 'electron'
import electronUpdater from 'electron-updater'
import { createLogger } from '../../shared/log/logger'
import { Redactor } from '../../shared/log/redact'
import { startRoomHub } from '../../server/hub/RoomHub'
import { createServices } from './app/services'
import { attachElectronTransport } from './ipc/electronTransport'
import { protocolRegistration } from './deeplink/argv'
import { DeepLinkInbox } from './deeplink/DeepLinkInbox'
import { attachDeepLinkSources } from './deeplink/sources'
import { isTrustedSender } from './ipc/sender'
import { LocalBackendSupervisor } from './local/LocalBackendSupervisor'
import { utilityProcessSpawner } from './local/processSpawner'
import { electronDesktopPorts, trackWindowState } from './platform/electronDesktop'
import { electronPlatform } from './platform/electronPlatform'
import { installDisplayMediaHandler } from './platform/recordingCapture'
import { attachRecordingPorts } from './recording/portTransport'
import { resolveAppAsset } from './security/assetPath'
import { contentSecurityPolicy } from './security/csp'
import { APP_ORIGIN, APP_SCHEME } from './security/origin'
import { createElectronUpdaterPort } from './updater/electronUpdaterPort'
import { createMainWindow } from './windows/createMainWindow'

// Lifecycle only: everything else lives in services and windows.

protocol.registerSchemesAsPrivileged([
  { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true } },
])
app.enableSandbox()

const devServer = process.env['ELECTRON_RENDERER_URL']
const rendererDir = join(import.meta.dirname, '../renderer')
const preloadPath = join(import.meta.dirname, '../preload/index.cjs')

const windows = new Set<BrowserWindow>()
// Deep links (issue 10): they can arrive before `ready` (this launch's argv, macOS open-url); the inbox keeps the
// latest until the renderer takes it. Later launches hand theirs over through the single-instance lock.
const deepLinks = new DeepLinkInbox()
let showMainWindow = (): void => {}

if (!app.requestSingleInstanceLock()) {
  app.quit()
} else {
  attachDeepLinkSources(
    {
      onSecondInstance: (listener) => app.on('second-instance', (_event, argv) => listener(argv)),
      onOpenUrl: (listener) => app.on('open-url', listener),
    },
    deepLinks,
    { argv: process.argv, focus: () => showMainWindow() },
  )
  void app.whenReady().then(start)
}

async function start(): Promise<void> {
  protocol.handle(APP_SCHEME, async (request) => {
    const file = resolveAppAsset(rendererDir, request.url)
    if (!file) return new Response('Not found', { status: 404 })
    const response = await net.fetch(pathToFileURL(file).toString())
    const headers = new Headers(response.headers)
    headers.set('Content-Security-Policy', contentSecurityPolicy())
    headers.set('X-Content-Type-Options', 'nosniff')
    return new Response(response.body, { status: response.status, headers })
  })

  const updater = createElectronUpdaterPort({
    updater: electronUpdater.autoUpdater,
    log: createLogger('main.updater', [], new Redactor()),
  })
  const services = await createServices({
    ...electronPlatform(),
    desktop: electronDesktopPorts({ mainWindow: () => [...windows][0], updater, deepLinks }),
  })
  updater.setLogger(services.log.child('updater'))

  // The embedded local backend: the SFU in a supervised utilityProcess (restarted on crash), the room hub in main.
  const backend = new LocalBackendSupervisor({
    spawner: utilityProcessSpawner(utilityProcess),
    entry: join(import.meta.dirname, 'backend.js'),
    log: services.log,
    onEndpoint: (endpoint) => services.calls.setLocalSfu(endpoint),
  })
  backend.start()
  const hub = await startRoomHub({
    log: services.log.child('hub'),
    tokenSecret: null,
    storageDir: join(app.getPath('userData'), 'rooms'),
  })
  services.rooms.setLocalHub(hub.origin)
  attachElectronTransport({
    router: services.router,
    events: services.events,
    ownWindows: () => new Set([...windows].map((w) => w.webContents.id)),
    webContentsOf: () => [...windows].map((w) => w.webContents),
    ...(devServer ? { devServer } : {}),
  })

  // Recording (issue 8): chunk ports from our own windows' main frames only, and the display-capture source.
  attachRecordingPorts({
    ipcMain,
    recordings: services.recordings,
    isTrusted: (event) =>
      isTrustedSender(
        {
          frameUrl: event.senderFrame?.url ?? null,
          isMainFrame: event.senderFrame !== null && event.senderFrame.parent === null,
          webContentsId: event.sender.id,
        },
        new Set([...windows].map((w) => w.webContents.id)),
        devServer,
      ),
    log: services.log.child('recording'),
  })
  installDisplayMediaHandler(session.defaultSession, () => services.recordings.takeSelectedSource())
  // Quitting mid-recording: finish the file (duration, seek index) first, then quit for real.
  let finishingRecording = false
  app.on('before-quit', (event) => {
    if (finishingRecording || !services.recordings.isRecording) return
    event.preventDefault()
    finishingRecording = true
    void services.recordings.stopAll('meeting_ended').finally(() => app.quit())
  })

  const open = (): void => {
    const win = createMainWindow({
      preloadPath,
      startUrl: devServer ?? `${APP_ORIGIN}/index.html`,
      ...(devServer ? { devServer } : {}),
    })
    const id = win.webContents.id
    windows.add(win)
    trackWindowState(win, services.desktop)
    win.on('closed', () => {
      windows.delete(win)
      services.router.release(`wc:${id}`)
    })
  }
  open()
  // A link that arrives with no window (macOS keeps the app running) opens one.
  showMainWindow = () => (windows.size === 0 ? open() : services.desktop.focusWindow())
  services.updates.start()
  const protocolClient = protocolRegistration({
    isPackaged: app.isPackaged,
    defaultApp: process.defaultApp === true,
    execPath: process.execPath,
    appPath: process.argv[1] ? resolve(process.argv[1]) : undefined,
    env: process.env,
  })
  if (protocolClient) {
    app.setAsDefaultProtocolClient(protocolClient.scheme, protocolClient.path, protocolClient.args?.slice())
  }
  app.on('will-quit', () => {
    void backend.stop()
    void hub.close()
    services.updates.dispose()
    services.desktop.dispose()
  })
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) open()
  })
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit()
  })
}
