import { createHash } from 'node:crypto'
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import type { UpdateStatus } from '../../../shared/desktop/schemas'
import type { LogEntry } from '../../../shared/ipc/contract'
import { createLogger } from '../../../shared/log/logger'
import { Redactor } from '../../../shared/log/redact'
import { installFakeElectronForRequire, requiredElectron } from '../../../test/helpers/fakeElectron'
import { manualClock, type ManualClock } from '../../../test/helpers/manualClock'
import { startUpdateServer, type Release, type UpdateServer } from '../../../test/helpers/updateServer'
import { createElectronUpdaterPort } from './electronUpdaterPort'
import { DAY_MS, RETRY_DELAYS_MS } from './updatePolicy'
import { UpdateService } from './UpdateService'

/*
 * The real electron-updater (AppImageUpdater, as `autoUpdater` is on Linux, with its ElectronAppAdapter and
 * ElectronHttpExecutor) against a local generic-provider server. Only `electron` is faked: `app` and a `net.request`
 * backed by node:http that refuses anything but 127.0.0.1.
 */
const fake = await vi.hoisted(async () =>
  (await import('../../../test/helpers/fakeElectron')).createFakeElectron(),
)
vi.mock('electron', () => fake)

const { AppImageUpdater, NsisUpdater } = await import('electron-updater')

/** A tiny "AppImage": a shell script that records that the updater ran it, padded to a realistic-ish size. */
function appImage(version: string): Buffer {
  const script = `#!/bin/sh\nprintf '%s' "${version} $APPIMAGE_EXIT_AFTER_INSTALL" > "$CONVENE_TEST_MARKER"\nexit 0\n`
  return Buffer.concat([Buffer.from(script), Buffer.from(`#${'x'.repeat(200)}\n`.repeat(600))])
}

const release = (version: string, extra: Partial<Release> = {}): Release => ({
  version,
  fileName: `Convene-${version}.AppImage`,
  body: appImage(version),
  ...extra,
})

let undoRequire: () => void
const savedEnv = { ...process.env }
const savedResourcesPath = (process as { resourcesPath?: string }).resourcesPath

beforeAll(() => {
  undoRequire = installFakeElectronForRequire(fake)
})
afterAll(() => {
  undoRequire()
  // The fake net never saw a non-loopback host, and the real electron package was never evaluated.
  expect(fake.refusedHosts).toEqual([])
})

interface Rig {
  dir: string
  server: UpdateServer
  clock: ManualClock
  service: UpdateService
  updater: InstanceType<typeof AppImageUpdater>
  statuses: UpdateStatus[]
  logs: LogEntry[]
  marker: string
  cacheDir: string
}

let rig: Rig

async function makeRig(options: { version?: string; autoUpdate?: boolean } = {}): Promise<Rig> {
  const dir = mkdtempSync(join(tmpdir(), 'convene-updater-'))
  const server = await startUpdateServer()
  const resources = join(dir, 'resources')
  mkdirSync(resources, { recursive: true })
  // What electron-builder writes from `publish` in electron-builder.yml; the cache dir name comes from here.
  writeFileSync(
    join(resources, 'app-update.yml'),
    `provider: generic\nurl: ${server.url}\nupdaterCacheDirName: convene-updater\n`,
  )
  ;(process as { resourcesPath?: string }).resourcesPath = resources
  process.env['XDG_CACHE_HOME'] = join(dir, 'cache')
  const current = join(dir, 'Convene-0.1.0.AppImage')
  writeFileSync(current, appImage('0.1.0'))
  chmodSync(current, 0o755)
  process.env['APPIMAGE'] = current
  const marker = join(dir, 'installed.txt')
  process.env['CONVENE_TEST_MARKER'] = marker
  fake.control.version = options.version ?? '0.1.0'
  fake.control.userData = join(dir, 'userData')

  const logs: LogEntry[] = []
  const log = createLogger('test', [(e) => logs.push(e)], new Redactor())
  const updater = new AppImageUpdater()
  const port = createElectronUpdaterPort({ updater, log, feedUrl: server.url })
  const clock = manualClock()
  const service = new UpdateService({ port, autoUpdate: options.autoUpdate ?? true, log, clock })
  const statuses: UpdateStatus[] = []
  service.onStatus((s) => statuses.push(s))
  return {
    dir,
    server,
    clock,
    service,
    updater,
    statuses,
    logs,
    marker,
    cacheDir: join(dir, 'cache', 'convene-updater'),
  }
}

beforeEach(async () => {
  // electron-updater registers its install-on-quit handler on `app`; one test's handler must not see the next quit.
  fake.control.events.removeAllListeners()
  rig = await makeRig()
})
afterEach(async () => {
  rig.service.dispose()
  await rig.server.close()
  process.env = { ...savedEnv }
  ;(process as { resourcesPath?: string }).resourcesPath = savedResourcesPath
})

const sha512 = (b: Buffer) => createHash('sha512').update(b).digest('base64')
const pendingFile = (version: string) => join(rig.cacheDir, 'pending', `Convene-${version}.AppImage`)
/** Full downloads of an installer (the refused differential range requests are logged apart). */
const downloads = () => rig.server.requests.filter((p) => p.endsWith('.AppImage') && !p.startsWith('range'))

describe('electron-updater against a local update server', () => {
  it('finds a new version, downloads it in the background with progress and verifies it', async () => {
    rig.server.publish(release('0.2.0'))
    rig.service.start()
    await rig.service.settled()

    const status = rig.service.status()
    expect(status).toMatchObject({
      phase: 'downloaded',
      version: '0.2.0',
      supported: true,
      currentVersion: '0.1.0',
    })
    expect(rig.server.requests[0]).toBe('/latest-linux.yml')
    expect(downloads()).toEqual(['/Convene-0.2.0.AppImage'])
    expect(sha512(readFileSync(pendingFile('0.2.0')))).toBe(sha512(release('0.2.0').body))
    expect(rig.statuses.map((s) => s.phase)).toEqual(
      expect.arrayContaining(['checking', 'downloading', 'downloaded']),
    )
    expect(Math.max(...rig.statuses.map((s) => s.percent ?? 0))).toBe(100)
    // Installs on quit only once verified, and nothing is installed yet.
    expect(rig.updater.autoInstallOnAppQuit).toBe(true)
    expect(existsSync(rig.marker)).toBe(false)
  })

  it('installs the verified update when the user says so, outside a meeting', async () => {
    rig.server.publish(release('0.2.0'))
    rig.service.start()
    await rig.service.settled()
    const quitAndInstall = vi.spyOn(rig.updater, 'quitAndInstall')

    expect(rig.service.install().phase).toBe('installing')
    expect(quitAndInstall).toHaveBeenCalledWith(false, true)
    // electron-updater moved the verified file over the running AppImage and started it.
    await vi.waitFor(() => expect(readFileSync(rig.marker, 'utf8')).toMatch(/^0\.2\.0/))
    // The versioned file name is kept: the new AppImage sits next to where the old one was.
    expect(sha512(readFileSync(join(rig.dir, 'Convene-0.2.0.AppImage')))).toBe(sha512(release('0.2.0').body))
    expect(existsSync(join(rig.dir, 'Convene-0.1.0.AppImage'))).toBe(false)
    await vi.waitFor(() => expect(fake.control.quitCalls).toBeGreaterThan(0))
  })

  it('installs on quit when the user did not restart', async () => {
    rig.server.publish(release('0.2.0'))
    rig.service.start()
    await rig.service.settled()
    fake.control.quit()
    // electron-updater's own quit handler ran the verified installer (silently, no relaunch).
    expect(readFileSync(rig.marker, 'utf8')).toBe('0.2.0 true')
  })

  it('reports "up to date" for the same version and checks again a day later', async () => {
    rig.server.publish(release('0.1.0'))
    rig.service.start()
    await rig.service.settled()
    expect(rig.service.status()).toMatchObject({ phase: 'upToDate', version: '0.1.0' })
    expect(rig.server.requests).toEqual(['/latest-linux.yml'])
    expect(rig.clock.pending()).toEqual([rig.clock.now() + DAY_MS])

    rig.server.publish(release('0.3.0'))
    rig.clock.advance(DAY_MS - 1)
    await rig.service.settled()
    expect(rig.server.requests).toHaveLength(1)
    rig.clock.advance(1)
    await rig.service.settled()
    expect(rig.service.status()).toMatchObject({ phase: 'downloaded', version: '0.3.0' })
  })

  it('never installs a download whose sha512 does not match, reports it and retries', async () => {
    rig.server.publish(release('0.2.0', { sha512: sha512(Buffer.from('something else')) }))
    const quitAndInstall = vi.spyOn(rig.updater, 'quitAndInstall')
    rig.service.start()
    await rig.service.settled()

    const status = rig.service.status()
    expect(status.phase).toBe('failed')
    expect(status.message).toContain('damaged')
    expect(rig.service.policyState.phase).toMatchObject({ failure: { code: 'ERR_CHECKSUM_MISMATCH' } })
    expect(existsSync(pendingFile('0.2.0'))).toBe(false)
    // No install-on-quit handler was ever registered: electron-updater adds it only for a verified download.
    expect(fake.control.events.listenerCount('quit')).toBe(0)
    expect(() => rig.service.install()).toThrow(/no downloaded update/)
    fake.control.quit()
    expect(quitAndInstall).not.toHaveBeenCalled()
    expect(existsSync(rig.marker)).toBe(false)

    // The host fixes the upload; the retry after the first backoff step picks it up.
    rig.server.publish(release('0.2.0'))
    expect(rig.clock.pending()).toEqual([rig.clock.now() + RETRY_DELAYS_MS[0]!])
    rig.clock.advance(RETRY_DELAYS_MS[0]!)
    await rig.service.settled()
    expect(rig.service.status()).toMatchObject({ phase: 'downloaded', version: '0.2.0' })
  })

  // electron-updater itself retries a refused connection three times (0 s, 1 s, 2 s) before giving up.
  it('reports a server that is down and backs off between retries', { timeout: 30_000 }, async () => {
    await rig.server.close()
    rig.service.start()
    await rig.service.settled()
    expect(rig.service.status()).toMatchObject({ phase: 'failed' })
    expect(rig.service.status().message).toContain('could not reach the update server')
    expect(rig.service.policyState.failures).toBe(1)

    rig.clock.advance(RETRY_DELAYS_MS[0]!)
    await rig.service.settled()
    expect(rig.service.policyState.failures).toBe(2)
    expect(rig.clock.pending()).toEqual([rig.clock.now() + RETRY_DELAYS_MS[1]!])
  })

  it('waits for the meeting to end before downloading, and refuses to install during one', async () => {
    rig.server.publish(release('0.2.0'))
    rig.service.setInMeeting(true)
    rig.service.start()
    await rig.service.settled()
    expect(rig.service.status()).toMatchObject({ phase: 'available', version: '0.2.0', inMeeting: true })
    expect(rig.server.requests).toEqual(['/latest-linux.yml'])
    expect(() => rig.service.install()).toThrow(/no downloaded update/)

    rig.service.setInMeeting(false)
    await rig.service.settled()
    expect(rig.service.status().phase).toBe('downloaded')

    const quitAndInstall = vi.spyOn(rig.updater, 'quitAndInstall').mockImplementation(() => undefined)
    rig.service.setInMeeting(true)
    expect(() => rig.service.install()).toThrow(/middle of a meeting/)
    expect(quitAndInstall).not.toHaveBeenCalled()
    rig.service.setInMeeting(false)
    rig.service.install()
    expect(quitAndInstall).toHaveBeenCalledTimes(1)
  })

  it('pauses a running download when a meeting starts and resumes it afterwards', async () => {
    rig.server.publish(release('0.2.0'))
    const hold = rig.server.holdDownloads()
    rig.service.start()
    await hold.started
    expect(rig.service.status().phase).toBe('downloading')

    rig.service.setInMeeting(true)
    expect(rig.service.status().phase).toBe('pausing')
    await rig.service.settled()
    hold.release()
    expect(rig.service.status()).toMatchObject({ phase: 'available', version: '0.2.0' })
    expect(existsSync(pendingFile('0.2.0'))).toBe(false)

    rig.service.setInMeeting(false)
    await rig.service.settled()
    expect(rig.service.status()).toMatchObject({ phase: 'downloaded', version: '0.2.0' })
    expect(downloads()).toHaveLength(2)
  })

  it('does nothing automatically when automatic updates are off, but checks when asked', async () => {
    rig.service.dispose()
    await rig.server.close()
    rig = await makeRig({ autoUpdate: false })
    rig.server.publish(release('0.2.0'))
    rig.service.start()
    await rig.service.settled()
    expect(rig.server.requests).toEqual([])
    expect(rig.clock.pending()).toEqual([])

    rig.service.checkNow()
    await rig.service.settled()
    expect(rig.service.status().phase).toBe('downloaded')
    // With automatic updates off, even a downloaded update waits for the user's click: quitting installs nothing.
    expect(rig.updater.autoInstallOnAppQuit).toBe(false)
    fake.control.quit()
    expect(existsSync(rig.marker)).toBe(false)
  })
})

describe('Windows (NSIS) updater: the publisher signature check stays on', () => {
  it('rejects an installer that is not signed by the publisher named in app-update.yml', async () => {
    // NsisUpdater reads `latest.yml`; electron-builder's own tests select it on Linux with `_testOnlyOptions`.
    writeFileSync(
      join((process as { resourcesPath?: string }).resourcesPath!, 'app-update.yml'),
      `provider: generic\nurl: ${rig.server.url}\nupdaterCacheDirName: convene-updater\npublisherName: [Convene Test Ltd]\n`,
    )
    const exe = {
      version: '0.2.0',
      fileName: 'Convene-Setup-0.2.0.exe',
      body: Buffer.from('MZ fake installer'),
    }
    rig.server.publish(exe)
    const logs: LogEntry[] = []
    const log = createLogger('test', [(e) => logs.push(e)], new Redactor())
    const nsis = new NsisUpdater()
    Object.assign(nsis, { _testOnlyOptions: { platform: 'win32', isUseDifferentialDownload: false } })
    const seen: string[][] = []
    nsis.verifyUpdateCodeSignature = async (publishers) => {
      seen.push(publishers)
      return 'signed by CN=Somebody Else'
    }
    const port = createElectronUpdaterPort({ updater: nsis, log, feedUrl: rig.server.url })
    const service = new UpdateService({ port, autoUpdate: true, log, clock: manualClock() })
    service.start()
    await service.settled()

    expect(rig.server.requests).toEqual(['/latest.yml', '/Convene-Setup-0.2.0.exe'])
    expect(seen).toEqual([['Convene Test Ltd']])
    expect(service.status().phase).toBe('failed')
    expect(service.status().message).toContain('not signed by Convene')
    expect(fake.control.events.listenerCount('quit')).toBe(0)
    service.dispose()
  })

  it('keeps the default verifier when none is injected (the adapter never replaces it)', () => {
    const nsis = new NsisUpdater()
    const before = nsis.verifyUpdateCodeSignature
    createElectronUpdaterPort({ updater: nsis, log: createLogger('t', [], new Redactor()) })
    expect(nsis.verifyUpdateCodeSignature).toBe(before)
    expect(nsis.disableWebInstaller).toBe(true)
    expect(nsis.autoDownload).toBe(false)
  })
})

describe('test isolation', () => {
  it('only the fake electron module was ever required', () => {
    expect(requiredElectron()).toBe(fake)
  })
})
