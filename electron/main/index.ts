import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { app, BrowserWindow, net, protocol } from 'electron'
import { createServices } from './app/services'
import { attachElectronTransport } from './ipc/electronTransport'
import { electronPlatform } from './platform/electronPlatform'
import { resolveAppAsset } from './security/assetPath'
import { contentSecurityPolicy } from './security/csp'
import { APP_ORIGIN, APP_SCHEME } from './security/origin'
import { createMainWindow } from './windows/createMainWindow'

// Lifecycle only: everything else lives in services and windows.

protocol.registerSchemesAsPrivileged([
  { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true } },
])
app.enableSandbox()

const devServer = process.env['ELECTRON_RENDERER_URL']
const rendererDir = join(import.meta.dirname, '../renderer')
const preloadPath = join(import.meta.dirname, '../preload/index.cjs')

if (!app.requestSingleInstanceLock()) {
  app.quit()
} else {
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

  const services = await createServices(electronPlatform())
  const windows = new Set<BrowserWindow>()
  attachElectronTransport({
    router: services.router,
    events: services.events,
    ownWindows: () => new Set([...windows].map((w) => w.webContents.id)),
    webContentsOf: () => [...windows].map((w) => w.webContents),
    ...(devServer ? { devServer } : {}),
  })

  const open = (): void => {
    const win = createMainWindow({
      preloadPath,
      startUrl: devServer ?? `${APP_ORIGIN}/index.html`,
      ...(devServer ? { devServer } : {}),
    })
    const id = win.webContents.id
    windows.add(win)
    win.on('closed', () => {
      windows.delete(win)
      services.router.release(`wc:${id}`)
    })
  }
  open()

  app.on('second-instance', () => {
    const [win] = windows
    if (win) {
      if (win.isMinimized()) win.restore()
      win.focus()
    }
  })
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) open()
  })
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit()
  })
}
