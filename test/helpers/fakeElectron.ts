import { EventEmitter } from 'node:events'
import { request as httpRequest, type ClientRequest } from 'node:http'
import Module, { createRequire } from 'node:module'

/**
 * A stand-in for the `electron` module, for libraries that `require('electron')` (electron-updater does, lazily).
 * Only what electron-updater touches exists: `app`, `net.request` (plain node:http, 127.0.0.1 only),
 * `session.fromPartition` and `autoUpdater`. Anything else is undefined, so a test fails loudly instead of the
 * real package starting a binary download.
 */
export interface FakeElectronApp {
  version: string
  userData: string
  appPath: string
  isPackaged: boolean
  readonly quit: () => void
  readonly relaunch: () => void
  readonly quitCalls: number
  readonly events: EventEmitter
}

export interface FakeElectronModule {
  readonly app: {
    getVersion(): string
    getName(): string
    readonly isPackaged: boolean
    getAppPath(): string
    getPath(name: string): string
    whenReady(): Promise<void>
    quit(): void
    relaunch(): void
    once(event: string, listener: (...args: unknown[]) => void): void
  }
  readonly net: { request(options: Record<string, unknown>): ClientRequest }
  readonly session: { fromPartition(): Record<string, never> }
  readonly autoUpdater: EventEmitter
  /** Test controls. */
  readonly control: FakeElectronApp
  /** Hosts the fake `net` refused (anything but loopback). */
  readonly refusedHosts: string[]
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]', '::1'])

export function createFakeElectron(): FakeElectronModule {
  const events = new EventEmitter()
  const refusedHosts: string[] = []
  const control = {
    version: '0.1.0',
    userData: '/nonexistent',
    appPath: '/nonexistent',
    isPackaged: true,
    quitCalls: 0,
    events,
    quit: () => {
      control.quitCalls++
      events.emit('quit', {}, 0)
    },
    relaunch: () => undefined,
  }
  return {
    control,
    refusedHosts,
    autoUpdater: new EventEmitter(),
    session: { fromPartition: () => ({}) },
    net: {
      // Electron's net.request and node's http.request take the same URL parts and emit `response` the same way.
      request(options) {
        const hostname = String(options['hostname'] ?? options['host'] ?? '')
        if (!LOOPBACK.has(hostname)) {
          refusedHosts.push(hostname)
          throw new Error(`The fake electron.net refuses ${hostname}: tests talk to 127.0.0.1 only.`)
        }
        const { protocol, port, path, method, headers, timeout } = options as Record<string, never>
        if (protocol !== 'http:') throw new Error(`The fake electron.net speaks http only, not ${protocol}`)
        return httpRequest({ protocol, hostname, port, path, method, headers, timeout })
      },
    },
    app: {
      getVersion: () => control.version,
      getName: () => 'Convene',
      get isPackaged() {
        return control.isPackaged
      },
      getAppPath: () => control.appPath,
      getPath: () => control.userData,
      whenReady: () => Promise.resolve(),
      quit: () => control.quit(),
      relaunch: () => control.relaunch(),
      once: (event, listener) => void events.once(event, listener),
    },
  }
}

/**
 * Make CommonJS `require('electron')` return `fake` (vi.mock covers ESM imports only). Returns an undo function.
 * The real package is never evaluated: its index.js would download a binary when none is installed.
 */
export function installFakeElectronForRequire(fake: FakeElectronModule): () => void {
  const require = createRequire(import.meta.url)
  const path = require.resolve('electron')
  const previous = require.cache[path]
  const mod = new Module(path)
  mod.filename = path
  mod.loaded = true
  mod.exports = fake
  require.cache[path] = mod
  return () => {
    if (previous) require.cache[path] = previous
    else delete require.cache[path]
  }
}

/** What `require('electron')` resolves to right now (to assert the fake was the only one used). */
export function requiredElectron(): unknown {
  const require = createRequire(import.meta.url)
  return require.cache[require.resolve('electron')]?.exports
}
