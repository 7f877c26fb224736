import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { SettingsPatch } from '../../../shared/settings/schema'
import { aiKit, everythingVisible, rid, TEST_KEY } from '../../../test/helpers/openaiStub/aiKit'
import { startOpenAiStub } from '../../../test/helpers/openaiStub/OpenAiStub'
import { makeServices, tempDir } from '../../../test/helpers/services'
import { migrateSettings } from '../settings/migrations'
import { KEY_CLEARED_NOTICE } from './keyBinding'

describe('AI settings (additive, no version bump)', () => {
  it('files from before the AI settings load with defaults and keep everything else', () => {
    const out = migrateSettings({ schemaVersion: 1, displayName: 'Ada', backend: 'worker' })
    expect(out.settings.ai).toEqual({ model: 'gpt-4o-mini', transcriptionModel: 'whisper-1', baseUrl: '' })
    expect(out.settings).toMatchObject({ displayName: 'Ada', backend: 'worker' })
    expect(out.notices).toEqual([])
  })

  it('a damaged ai block is reset alone, with a notice naming it', () => {
    const out = migrateSettings({ schemaVersion: 1, displayName: 'Ada', ai: { model: 7 } })
    expect(out.settings.ai.model).toBe('gpt-4o-mini')
    expect(out.settings.displayName).toBe('Ada')
    expect(out.notices[0]?.message).toMatch(/reset to their defaults: ai/)
  })

  it('accepts https or loopback base URLs and model names; refuses the rest with a fix-it message', () => {
    for (const baseUrl of [
      '',
      'https://api.openai.com/v1',
      'http://127.0.0.1:11434/v1',
      'http://localhost:8080/v1',
    ]) {
      expect(SettingsPatch.safeParse({ ai: { baseUrl } }).success, baseUrl).toBe(true)
    }
    for (const baseUrl of [
      'http://192.168.1.5/v1',
      'https://user:pw@example.org/v1',
      'ftp://x',
      'not a url',
    ]) {
      const parsed = SettingsPatch.safeParse({ ai: { baseUrl } })
      expect(parsed.success, baseUrl).toBe(false)
      expect(parsed.error?.issues[0]?.message).toMatch(/https:\/\//)
    }
    expect(SettingsPatch.safeParse({ ai: { model: 'llama3.1:8b-instruct' } }).success).toBe(true)
    expect(SettingsPatch.safeParse({ ai: { model: 'gpt 4' } }).success).toBe(false)
  })

  it('persists across restarts and shows in the settings view', async () => {
    const dir = tempDir()
    const first = await makeServices(dir)
    first.services.settings.update({ ai: { baseUrl: 'http://127.0.0.1:9/v1' } })
    first.services.settings.update({ ai: { model: 'my-model' } })
    const second = await makeServices(dir)
    expect(second.services.view().ai).toEqual({
      model: 'my-model',
      transcriptionModel: 'whisper-1',
      baseUrl: 'http://127.0.0.1:9/v1',
    })
  })
})

describe('the OpenAI key is bound to the AI server it was saved for', () => {
  const trusted = { senderId: 'test', trusted: true }

  it('a new base URL removes the key, says so, and the new server never receives it', async () => {
    const kit = await aiKit()
    try {
      expect(kit.services.ai.state().configured).toBe(true)
      // Saving the same server again (another spelling) keeps the key.
      await kit.call('settings:update', { patch: { ai: { baseUrl: `${kit.stub.baseURL}/` } } })
      expect(kit.services.view().secrets.openaiApiKey.configured).toBe(true)

      const other = await startOpenAiStub()
      try {
        const changed = await kit.call('settings:update', { patch: { ai: { baseUrl: other.baseURL } } })
        expect(changed.ok).toBe(true)
        expect(kit.services.view().secrets.openaiApiKey).toEqual({ configured: false, hint: '' })
        expect(kit.services.view().notices.map((n) => n.id)).toContain(KEY_CLEARED_NOTICE)
        expect(kit.services.ai.state().configured).toBe(false)
        const asked = await kit.call('ai:ask', { requestId: rid(), kind: 'ask', question: 'Hello?' })
        expect(asked).toMatchObject({ ok: false, error: { code: 'unauthorized' } })
        expect(other.chats).toHaveLength(0)
        // Going back does not bring the removed key back either.
        await kit.call('settings:update', { patch: { ai: { baseUrl: kit.stub.baseURL } } })
        expect(kit.services.ai.state().configured).toBe(false)
        expect(everythingVisible(kit)).not.toContain(TEST_KEY)
      } finally {
        await other.close()
      }
    } finally {
      await kit.close()
    }
  })

  it('a key saved for one server is not handed out for another, even if the settings file changed on disk', async () => {
    const dir = tempDir()
    const first = await makeServices(dir)
    await first.services.router.dispatch(
      'settings:update',
      { patch: { ai: { baseUrl: 'http://127.0.0.1:9/v1' } } },
      trusted,
    )
    await first.services.router.dispatch(
      'vault:setSecret',
      { name: 'openaiApiKey', value: TEST_KEY },
      trusted,
    )
    expect(first.services.vault.get('openaiApiKey', 'http://127.0.0.1:9/v1')).toBe(TEST_KEY)
    expect(first.services.vault.get('openaiApiKey', 'https://api.openai.com/v1')).toBeUndefined()

    const file = join(dir, 'settings.json')
    const raw = JSON.parse(readFileSync(file, 'utf8')) as { ai: { baseUrl: string } }
    raw.ai.baseUrl = 'https://evil.example/v1'
    writeFileSync(file, JSON.stringify(raw))
    const second = await makeServices(dir)
    expect(second.services.view().secrets.openaiApiKey.configured).toBe(false)
    expect(second.services.ai.state().configured).toBe(false)
    expect(second.services.view().notices.find((n) => n.id === KEY_CLEARED_NOTICE)?.message).toMatch(
      /changed to evil\.example.*saved for 127\.0\.0\.1:9 was removed/,
    )
  })

  it('a key stored before binding existed is bound to the server in effect, and kept', async () => {
    const dir = tempDir()
    const first = await makeServices(dir)
    first.services.settings.update({ ai: { baseUrl: 'http://127.0.0.1:9/v1' } })
    // The old way: no scope stored with the key.
    await first.services.vault.set('openaiApiKey', TEST_KEY)
    expect(first.services.vault.scopeOf('openaiApiKey')).toBeUndefined()
    const second = await makeServices(dir)
    expect(second.services.vault.scopeOf('openaiApiKey')).toBe('http://127.0.0.1:9/v1')
    expect(second.services.ai.state().configured).toBe(true)
  })
})
