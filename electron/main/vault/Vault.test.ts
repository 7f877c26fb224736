import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { FakeCipher } from '../../../test/helpers/fakeCipher'
import { makeServices, tempDir } from '../../../test/helpers/services'

const SECRET = 'f3a9c1d2e4b5a6978877665544332211ffeeddccbbaa99887766554433221100'

describe('vault', () => {
  it('encrypts on disk, tells the renderer only {configured, hint}, and survives a restart', async () => {
    const { services, dataDir } = await makeServices()
    const view = await services.router.dispatch(
      'vault:setSecret',
      { name: 'callsAppSecret', value: SECRET },
      { senderId: 't', trusted: true },
    )
    expect(view.ok).toBe(true)
    expect(JSON.stringify(view)).not.toContain(SECRET)
    expect(view.ok && view.value).toMatchObject({
      secrets: { callsAppSecret: { configured: true, hint: '1100' } },
    })
    expect(readFileSync(join(dataDir, 'secrets.json'), 'utf8')).not.toContain(SECRET)
    expect(services.vault.get('callsAppSecret')).toBe(SECRET)

    const again = await makeServices(dataDir)
    expect(again.services.vault.get('callsAppSecret')).toBe(SECRET)
    expect(again.services.view().secrets.callsAppSecret).toEqual({ configured: true, hint: '1100' })
  })

  it('rejects badly formatted secrets with a message naming the field', async () => {
    const { services } = await makeServices()
    const result = await services.router.dispatch(
      'vault:setSecret',
      { name: 'callsAppSecret', value: 'has spaces in it' },
      { senderId: 't', trusted: true },
    )
    expect(result).toMatchObject({ ok: false, error: { code: 'invalid_request' } })
    if (!result.ok) expect(result.error.message).toMatch(/Calls app secret must be/)
  })

  it('asks before storing when only basic_text protection exists, and remembers the answer', async () => {
    const cipher = new FakeCipher({
      backend: 'basic_text',
      secure: false,
      detail: 'No system keyring was found.',
    })
    const { services, logs } = await makeServices(tempDir(), { cipher })
    expect(services.view().notices.map((n) => n.id)).toContain('storage-insecure')
    const refused = await services.router.dispatch(
      'vault:setSecret',
      { name: 'openaiApiKey', value: 'sk-abcdefgh12345678' },
      { senderId: 't', trusted: true },
    )
    expect(refused).toMatchObject({ ok: false, error: { code: 'insecure_storage' } })
    expect(services.view().secrets.openaiApiKey.configured).toBe(false)
    const accepted = await services.router.dispatch(
      'vault:setSecret',
      { name: 'openaiApiKey', value: 'sk-abcdefgh12345678', acceptInsecureStorage: true },
      { senderId: 't', trusted: true },
    )
    expect(accepted.ok).toBe(true)
    expect(services.view().insecureStorageAccepted).toBe(true)
    const second = await services.router.dispatch(
      'vault:setSecret',
      { name: 'workerToken', value: 'tok_0123456789abcdef' },
      { senderId: 't', trusted: true },
    )
    expect(second.ok).toBe(true)
    expect(JSON.stringify(logs)).not.toContain('sk-abcdefgh12345678')
  })

  it('reports secrets it can no longer decrypt and keeps starting', async () => {
    const cipher = new FakeCipher()
    const dir = tempDir()
    const first = await makeServices(dir, { cipher })
    await first.services.vault.set('workerToken', 'tok_0123456789abcdef')
    cipher.failDecrypt = true
    const second = await makeServices(dir, { cipher })
    expect(second.services.view().secrets.workerToken.configured).toBe(false)
    expect(second.services.view().notices.map((n) => n.id)).toContain('secrets-unreadable')
  })

  it('never writes a secret to the log, even when code logs it by mistake', async () => {
    const { services, logs } = await makeServices()
    await services.vault.set('openaiApiKey', 'sk-live-verysecretvalue-123')
    services.log.info('oops sk-live-verysecretvalue-123', {
      header: 'Bearer sk-live-verysecretvalue-123',
      apiKey: 'x',
    })
    const text = JSON.stringify(logs) + JSON.stringify(services.logBuffer.last())
    expect(text).not.toContain('sk-live-verysecretvalue-123')
    expect(text).toContain('[redacted]')
  })
})
