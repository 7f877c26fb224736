import type { Notice, SettingsPatch, SettingsV1 } from '../../../shared/settings/schema'
import { quarantineIfCorrupt, type DocumentStore, type OpenDocumentStore } from '../storage/documentStore'
import { migrateSettings } from './migrations'

/** Non-secret settings: loaded once, validated, migrated; every change written through at once. */
export class SettingsRepository {
  private settings: SettingsV1
  private document: Record<string, unknown>

  private constructor(
    private readonly store: DocumentStore,
    loaded: ReturnType<typeof migrateSettings>,
  ) {
    this.settings = loaded.settings
    this.document = loaded.document
  }

  static open(
    openStore: OpenDocumentStore,
    pathOf: (name: 'settings') => string,
    notices: Notice[],
  ): SettingsRepository {
    const corrupt = quarantineIfCorrupt(pathOf('settings'), 'settings')
    if (corrupt) notices.push(corrupt)
    const store = openStore('settings')
    const loaded = migrateSettings(store.read())
    notices.push(...loaded.notices)
    const repo = new SettingsRepository(store, loaded)
    store.write(repo.document)
    return repo
  }

  get current(): SettingsV1 {
    return this.settings
  }

  update(patch: SettingsPatch): SettingsV1 {
    const next: SettingsV1 = {
      ...this.settings,
      ...(patch.displayName !== undefined ? { displayName: patch.displayName } : {}),
      ...(patch.backend !== undefined ? { backend: patch.backend } : {}),
      cloudflare: { ...this.settings.cloudflare, ...definedOnly(patch.cloudflare) },
      worker: { ...this.settings.worker, ...definedOnly(patch.worker) },
      ai: { ...this.settings.ai, ...definedOnly(patch.ai) },
    }
    this.commit(next)
    return next
  }

  acceptInsecureStorage(): void {
    if (!this.settings.insecureStorageAccepted)
      this.commit({ ...this.settings, insecureStorageAccepted: true })
  }

  private commit(next: SettingsV1): void {
    const document = { ...this.document, ...next }
    this.store.write(document)
    this.document = document
    this.settings = next
  }
}

function definedOnly<T extends object>(value: T | undefined): Partial<T> {
  if (!value) return {}
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>
}
