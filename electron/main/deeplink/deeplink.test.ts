import { EventEmitter } from 'node:events'
import fc from 'fast-check'
import { afterEach, describe, expect, it } from 'vitest'
import type { EventName } from '../../../shared/ipc/contract'
import { fakeDesktop } from '../../../test/helpers/fakeDesktopPorts'
import { makeServices } from '../../../test/helpers/services'
import type { Services } from '../app/services'
import { linkFromArgv, protocolRegistration } from './argv'
import { DeepLinkInbox } from './DeepLinkInbox'
import { attachDeepLinkSources, type DeepLinkSourceApp } from './sources'

describe('linkFromArgv', () => {
  it('finds the link the OS appended, skipping the executable, the app path and switches', () => {
    expect(linkFromArgv(['/opt/Convene/convene', 'convene://join/abc-defg-hjk'])).toBe(
      'convene://join/abc-defg-hjk',
    )
    expect(
      linkFromArgv([
        'electron',
        '/src/out/main/index.js',
        '--allow-file-access-from-files',
        'convene://join/x',
      ]),
    ).toBe('convene://join/x')
    expect(linkFromArgv(['C:\\Convene.exe', '--', 'https://meet.example.org/join/abc-defg-hjk'])).toBe(
      'https://meet.example.org/join/abc-defg-hjk',
    )
    expect(linkFromArgv(['convene://join/first-is-the-exe'])).toBeNull()
    expect(linkFromArgv(['/opt/convene', '--inspect=convene://x', '--no-sandbox'])).toBeNull()
    expect(linkFromArgv([])).toBeNull()
  })
})

describe('protocolRegistration', () => {
  const base = { execPath: '/usr/bin/electron', appPath: '/src/app', env: {} }
  it('registers packaged builds; development runs only on request, with the app path', () => {
    expect(protocolRegistration({ ...base, isPackaged: true, defaultApp: false })).toEqual({
      scheme: 'convene',
    })
    expect(protocolRegistration({ ...base, isPackaged: false, defaultApp: true })).toBeNull()
    expect(
      protocolRegistration({
        ...base,
        isPackaged: false,
        defaultApp: true,
        env: { CONVENE_REGISTER_PROTOCOL: '1' },
      }),
    ).toEqual({ scheme: 'convene', path: '/usr/bin/electron', args: ['/src/app'] })
  })
})

/** The two Electron `app` events, driven by a plain EventEmitter the way Electron emits them. */
function fakeApp(): DeepLinkSourceApp & { emitter: EventEmitter; prevented: number } {
  const emitter = new EventEmitter()
  const app = {
    emitter,
    prevented: 0,
    onSecondInstance: (listener: (argv: readonly string[]) => void) =>
      void emitter.on('second-instance', (_event: unknown, argv: string[]) => listener(argv)),
    onOpenUrl: (listener: (event: { preventDefault(): void }, url: string) => void) =>
      void emitter.on('open-url', listener),
  }
  return app
}

describe('deep-link sources', () => {
  it('takes the first launch link, then second-instance and open-url links, focusing the window', () => {
    const inbox = new DeepLinkInbox()
    const app = fakeApp()
    let focused = 0
    attachDeepLinkSources(app, inbox, {
      argv: ['/opt/convene', 'convene://join/abc-defg-hjk'],
      focus: () => void focused++,
    })
    expect(inbox.take()).toEqual({ kind: 'room', room: 'abc-defg-hjk' })
    expect(inbox.take()).toBeNull()

    // A second launch hands over its argv and quits (the single-instance lock).
    app.emitter.emit(
      'second-instance',
      {},
      ['/opt/convene', '--flag', 'convene://join/bcd-efgh-jkm?server=https://m.example'],
      '/home',
    )
    expect(focused).toBe(1)
    expect(inbox.take()).toEqual({ kind: 'room', room: 'bcd-efgh-jkm', server: 'https://m.example' })

    // A plain second launch (no link) just focuses.
    app.emitter.emit('second-instance', {}, ['/opt/convene'], '/home')
    expect(focused).toBe(2)
    expect(inbox.take()).toBeNull()

    const event = { preventDefault: () => void app.prevented++ }
    app.emitter.emit('open-url', event, 'convene://join/oops')
    expect(app.prevented).toBe(1)
    expect(inbox.take()).toMatchObject({ kind: 'invalid', message: expect.stringContaining('“oops”') })
  })
})

describe('deep links through the services (what the renderer sees)', () => {
  let services: Services | undefined
  afterEach(() => services?.updates.dispose())

  async function wired() {
    const inbox = new DeepLinkInbox()
    const desktop = fakeDesktop({ deepLinks: inbox })
    const made = await makeServices(undefined, { desktop: desktop.ports })
    services = made.services
    const emitted: Array<[EventName, unknown]> = []
    made.services.events.attach((channel, payload) => emitted.push([channel, payload]))
    const app = fakeApp()
    attachDeepLinkSources(app, inbox, {
      argv: ['/opt/convene'],
      focus: () => made.services.desktop.focusWindow(),
    })
    const trusted = { senderId: 'wc:1', trusted: true }
    return { app, emitted, desktop, services: made.services, trusted }
  }

  it('a second-instance link becomes one app:openRoom event, kept for app:takeOpenRoom once', async () => {
    const { app, emitted, services: s, trusted } = await wired()
    app.emitter.emit('second-instance', {}, ['/opt/convene', 'convene://join/abc-defg-hjk'], '/')
    expect(emitted).toEqual([['app:openRoom', { kind: 'room', room: 'abc-defg-hjk' }]])
    expect(await s.router.dispatch('app:takeOpenRoom', {}, trusted)).toEqual({
      ok: true,
      value: { request: { kind: 'room', room: 'abc-defg-hjk' } },
    })
    expect(await s.router.dispatch('app:takeOpenRoom', {}, trusted)).toEqual({
      ok: true,
      value: { request: null },
    })
  })

  it('fuzzed links never crash and never do anything but announce a lobby (no join, no setting, no share)', async () => {
    const { app, emitted, desktop, services: s } = await wired()
    const settingsBefore = JSON.stringify(s.view())
    const anyLink = fc.oneof(
      fc.string({ maxLength: 200 }),
      fc.webUrl({ withQueryParameters: true, withFragments: true }),
      fc.string({ maxLength: 60 }).map((x) => `convene://join/${x}`),
      fc.tuple(fc.string({ maxLength: 20 }), fc.webUrl()).map(([c, u]) => `convene://join/${c}?server=${u}`),
    )
    fc.assert(
      fc.property(anyLink, fc.boolean(), (link, viaOpenUrl) => {
        emitted.length = 0
        if (viaOpenUrl) app.emitter.emit('open-url', { preventDefault: () => undefined }, link)
        else app.emitter.emit('second-instance', {}, ['/opt/convene', link], '/')
        // Only the lobby announcement, and only for something that looked like a link.
        for (const [channel] of emitted) expect(channel).toBe('app:openRoom')
        expect(emitted.length).toBeLessThanOrEqual(1)
      }),
      { numRuns: 1000 },
    )
    expect(JSON.stringify(s.view())).toBe(settingsBefore)
    expect(s.desktop.inMeeting).toBe(false)
    expect(desktop.wakeLocks.size).toBe(0)
    expect(desktop.notifications).toHaveLength(0)
  })
})
