import { describe, expect, it } from 'vitest'
import { isTrustedSender } from '../ipc/sender'
import { mainWindowOptions } from '../windows/mainWindowOptions'
import { resolveAppAsset } from './assetPath'
import { contentSecurityPolicy } from './csp'
import { isSafeExternalUrl } from './navigation'
import { ALLOWED_PERMISSIONS, isPermissionAllowed } from './permissions'

describe('BrowserWindow options', () => {
  it('pins every security-relevant webPreference', () => {
    const options = mainWindowOptions('/app/out/preload/index.cjs')
    expect(options.show).toBe(false)
    expect(options.webPreferences).toMatchObject({
      preload: '/app/out/preload/index.cjs',
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      navigateOnDragDrop: false,
    })
    expect(options.webPreferences).not.toHaveProperty('enableBlinkFeatures')
    expect(options.webPreferences).not.toHaveProperty('additionalArguments')
  })
})

describe('permission policy', () => {
  const app = 'app://convene/index.html'
  it('allows exactly media, display-capture, fullscreen and clipboard-sanitized-write to our origin', () => {
    expect([...ALLOWED_PERMISSIONS].sort()).toEqual([
      'clipboard-sanitized-write',
      'display-capture',
      'fullscreen',
      'media',
    ])
    for (const permission of ALLOWED_PERMISSIONS) {
      expect(isPermissionAllowed({ permission, origin: app })).toBe(true)
      expect(isPermissionAllowed({ permission, origin: 'app://convene' })).toBe(true)
    }
  })
  it('denies everything else, and everything to other origins', () => {
    for (const permission of [
      'geolocation',
      'notifications',
      'midiSysex',
      'openExternal',
      'pointerLock',
      'hid',
      'usb',
      'clipboard-read',
    ]) {
      expect(isPermissionAllowed({ permission, origin: app })).toBe(false)
    }
    for (const origin of [
      'https://evil.example',
      'app://evil/index.html',
      'file:///etc/passwd',
      'app://convene.evil',
      undefined,
      '',
    ]) {
      expect(isPermissionAllowed({ permission: 'media', origin })).toBe(false)
    }
  })
  it('allows media only for audio and video', () => {
    expect(isPermissionAllowed({ permission: 'media', origin: app, mediaTypes: ['audio', 'video'] })).toBe(
      true,
    )
    expect(isPermissionAllowed({ permission: 'media', origin: app, mediaTypes: ['audio', 'unknown'] })).toBe(
      false,
    )
  })
  it('trusts the dev server only when one is configured', () => {
    expect(isPermissionAllowed({ permission: 'media', origin: 'http://localhost:5173/' })).toBe(false)
    expect(
      isPermissionAllowed({ permission: 'media', origin: 'http://localhost:5173/' }, 'http://localhost:5173'),
    ).toBe(true)
  })
})

describe('IPC sender check', () => {
  const own = new Set([3])
  it('trusts only the main frame of our own window on our origin', () => {
    expect(
      isTrustedSender({ frameUrl: 'app://convene/index.html', isMainFrame: true, webContentsId: 3 }, own),
    ).toBe(true)
    expect(
      isTrustedSender({ frameUrl: 'app://convene/index.html', isMainFrame: false, webContentsId: 3 }, own),
    ).toBe(false)
    expect(
      isTrustedSender({ frameUrl: 'app://convene/index.html', isMainFrame: true, webContentsId: 4 }, own),
    ).toBe(false)
    expect(
      isTrustedSender({ frameUrl: 'https://evil.example/', isMainFrame: true, webContentsId: 3 }, own),
    ).toBe(false)
    expect(isTrustedSender({ frameUrl: null, isMainFrame: true, webContentsId: 3 }, own)).toBe(false)
  })
})

describe('external links', () => {
  it('opens only https links with a host and no credentials', () => {
    expect(isSafeExternalUrl('https://developers.cloudflare.com/calls/')).toBe(true)
    for (const url of [
      'http://example.org',
      'file:///etc/passwd',
      'javascript:alert(1)',
      'smb://host/share',
      'https://user:pw@example.org',
      'not a url',
      'convene://join/x',
    ]) {
      expect(isSafeExternalUrl(url)).toBe(false)
    }
  })
})

describe('app:// asset resolution', () => {
  const root = '/srv/renderer'
  it('serves files inside the renderer folder and index.html for routes', () => {
    expect(resolveAppAsset(root, 'app://convene/index.html')).toBe('/srv/renderer/index.html')
    expect(resolveAppAsset(root, 'app://convene/assets/a.js')).toBe('/srv/renderer/assets/a.js')
    expect(resolveAppAsset(root, 'app://convene/')).toBe('/srv/renderer/index.html')
    expect(resolveAppAsset(root, 'app://convene/settings')).toBe('/srv/renderer/index.html')
  })
  it('refuses traversal, encoded separators and NUL', () => {
    for (const url of [
      'app://convene/%2e%2e/%2e%2e/etc/passwd',
      'app://convene/..%2f..%2fetc/passwd',
      'app://convene/a%00.js',
      'app://convene/..%5c..%5cwin.ini',
      'app://convene/%E0%A4%A',
    ]) {
      const resolved = resolveAppAsset(root, url)
      expect(resolved === null || resolved.startsWith(`${root}/`), url).toBe(true)
    }
    expect(resolveAppAsset(root, 'app://convene/%2e%2e/%2e%2e/etc/passwd')).toBe('/srv/renderer/index.html')
    expect(resolveAppAsset(root, 'app://convene/a%00.js')).toBeNull()
    expect(resolveAppAsset(root, 'app://convene/..%5c..%5cwin.ini')).toBeNull()
    expect(resolveAppAsset(root, 'app://convene/%E0%A4%A')).toBeNull()
  })
})

describe('content security policy', () => {
  it('allows no remote or inline script and no framing', () => {
    const csp = contentSecurityPolicy()
    expect(csp).toContain("script-src 'self'")
    expect(csp).not.toMatch(/script-src[^;]*(unsafe-inline|unsafe-eval|https?:)/)
    expect(csp).toContain("frame-ancestors 'none'")
    expect(csp).toContain("object-src 'none'")
  })
})
