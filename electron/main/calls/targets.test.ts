import { describe, expect, it } from 'vitest'
import type { SecretName, SettingsV1 } from '../../../shared/settings/schema'
import {
  settingsCallsTarget,
  settingsTurnSource,
  TargetUnavailableError,
  type LocalSfuEndpoint,
} from './targets'

function deps(
  settings: Partial<SettingsV1>,
  secrets: Partial<Record<SecretName, string>>,
  local?: LocalSfuEndpoint,
) {
  const current = {
    schemaVersion: 1,
    displayName: '',
    backend: 'local',
    cloudflare: { appId: '', turnKeyId: '' },
    worker: { url: '' },
    insecureStorageAccepted: false,
    ...settings,
  } as SettingsV1
  return {
    settings: { current },
    vault: { get: (name: SecretName) => secrets[name] },
    localSfu: () => local,
    cloudflareApiBase: 'https://rtc.live.cloudflare.com/v1/',
  }
}
const APP = '0123456789abcdef0123456789abcdef'

describe('targets from Settings', () => {
  it('Cloudflare: app URL with the app secret; TURN key when configured, STUN only otherwise', () => {
    const d = deps(
      { backend: 'cloudflare', cloudflare: { appId: APP, turnKeyId: '' } },
      { callsAppSecret: 'secret-1' },
    )
    expect(settingsCallsTarget(d)()).toEqual({
      kind: 'cloudflare',
      baseUrl: `https://rtc.live.cloudflare.com/v1/apps/${APP}`,
      auth: { type: 'bearer', token: 'secret-1' },
    })
    expect(settingsTurnSource(d)()).toMatchObject({
      type: 'static',
      iceServers: [{ urls: ['stun:stun.cloudflare.com:3478'] }],
    })
    const withTurn = deps(
      { backend: 'cloudflare', cloudflare: { appId: APP, turnKeyId: 'k'.repeat(32) } },
      { callsAppSecret: 's', turnApiToken: 'tt' },
    )
    expect(settingsTurnSource(withTurn)()).toMatchObject({
      type: 'api',
      endpoint: {
        baseUrl: `https://rtc.live.cloudflare.com/v1/turn/keys/${'k'.repeat(32)}`,
        auth: { token: 'tt' },
      },
    })
  })

  it('Convene Worker: the proxy paths with the user token', () => {
    const d = deps(
      { backend: 'worker', worker: { url: 'https://meet.example.org/' } },
      { workerToken: 'user-token' },
    )
    expect(settingsCallsTarget(d)()).toMatchObject({
      kind: 'worker',
      baseUrl: 'https://meet.example.org/calls/v1/apps/convene',
    })
    expect(settingsTurnSource(d)()).toMatchObject({
      endpoint: { baseUrl: 'https://meet.example.org/calls/v1/turn/keys/convene' },
    })
  })

  it('local: the registered SFU, no TURN; not running yet is "unavailable", missing settings is "settings"', () => {
    expect(() => settingsCallsTarget(deps({ backend: 'local' }, {}))()).toThrow(TargetUnavailableError)
    try {
      settingsCallsTarget(deps({ backend: 'local' }, {}))()
    } catch (error) {
      expect((error as TargetUnavailableError).kind).toBe('unavailable')
    }
    const local = deps(
      { backend: 'local' },
      {},
      { baseUrl: 'http://127.0.0.1:4000/v1/apps/local', token: 'launch' },
    )
    expect(settingsCallsTarget(local)()).toMatchObject({ kind: 'local', auth: { token: 'launch' } })
    expect(settingsTurnSource(local)()).toEqual({ type: 'static', kind: 'local', iceServers: [] })
    for (const missing of [
      deps({ backend: 'cloudflare', cloudflare: { appId: APP, turnKeyId: '' } }, {}),
      deps({ backend: 'worker', worker: { url: '' } }, { workerToken: 'x' }),
    ]) {
      try {
        settingsCallsTarget(missing)()
        expect.unreachable()
      } catch (error) {
        expect((error as TargetUnavailableError).kind).toBe('settings')
      }
    }
  })
})
