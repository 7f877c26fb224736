import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { makeServices, tempDir } from '../../../test/helpers/services'
import { migrateSettings } from './migrations'

describe('settings migrations', () => {
  it('upgrades an unversioned file, keeping valid fields', () => {
    const out = migrateSettings({ displayName: 'Ada', backend: 'worker' })
    expect(out.settings).toMatchObject({ schemaVersion: 1, displayName: 'Ada', backend: 'worker' })
    expect(out.notices).toEqual([])
  })
  it('resets only invalid fields and names them', () => {
    const out = migrateSettings({
      schemaVersion: 1,
      displayName: 'Ada',
      backend: 'carrier-pigeon',
      cloudflare: 7,
    })
    expect(out.settings.displayName).toBe('Ada')
    expect(out.settings.backend).toBe('local')
    expect(out.notices[0]?.message).toMatch(/backend, cloudflare/)
  })
  it('keeps fields from a newer version it does not know', () => {
    const out = migrateSettings({ schemaVersion: 9, displayName: 'Ada', futureThing: { a: 1 } })
    expect(out.document).toMatchObject({ schemaVersion: 9, futureThing: { a: 1 }, displayName: 'Ada' })
    expect(out.notices.map((n) => n.id)).toEqual(['settings-newer'])
  })
})

describe('a corrupt settings file', () => {
  it('is moved aside and reported; the app starts and the vault is untouched', async () => {
    const dir = tempDir()
    const first = await makeServices(dir)
    first.services.settings.update({ displayName: 'Grace', backend: 'cloudflare' })
    await first.services.vault.set('turnApiToken', 'turn_token_0123456789abcdef0123456789')

    writeFileSync(join(dir, 'settings.json'), '{"displayName": "Grace", "backe')
    const second = await makeServices(dir)
    const view = second.services.view()
    expect(view.notices.find((n) => n.id === 'corrupt-settings')?.message).toMatch(
      /damaged.*kept as settings\.corrupt-/,
    )
    expect(view.displayName).toBe('')
    expect(view.secrets.turnApiToken).toEqual({ configured: true, hint: '6789' })
    const aside = readdirSync(dir).find((f) => f.startsWith('settings.corrupt-'))
    expect(aside).toBeDefined()
    expect(readFileSync(join(dir, aside!), 'utf8')).toContain('"Grace"')
    expect(existsSync(join(dir, 'settings.json'))).toBe(true)
  })

  it('a corrupt secrets file is moved aside too, and settings are kept', async () => {
    const dir = tempDir()
    const first = await makeServices(dir)
    first.services.settings.update({ displayName: 'Grace' })
    writeFileSync(join(dir, 'secrets.json'), '[1,2')
    const second = await makeServices(dir)
    expect(second.services.view().displayName).toBe('Grace')
    expect(second.services.view().notices.find((n) => n.id === 'corrupt-secrets')?.message).toMatch(
      /Enter your credentials again/,
    )
  })
})
