import { describe, expect, it } from 'vitest'
import { SettingsPatch } from '../../../shared/settings/schema'
import { makeServices, tempDir } from '../../../test/helpers/services'
import { migrateSettings } from '../settings/migrations'

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
