import { z } from 'zod'
import { AppError } from '../../../shared/errors/AppError'
import type { Logger } from '../../../shared/log/logger'
import type { Redactor } from '../../../shared/log/redact'
import { describeIssues } from '../../../shared/ipc/result'
import {
  SecretName,
  secretRules,
  type Notice,
  type SecretStatus,
  type StorageInfo,
} from '../../../shared/settings/schema'
import type { SettingsRepository } from '../settings/SettingsRepository'
import { quarantineIfCorrupt, type DocumentStore, type OpenDocumentStore } from '../storage/documentStore'
import type { SecretCipher } from './cipher'

const SecretEntry = z.object({
  ciphertext: z.string().min(1),
  hint: z.string().max(4),
  backend: z.string(),
  updatedAt: z.number(),
  /**
   * Where the secret may be sent, for secrets that go to a server the user chooses (the OpenAI key: the AI base
   * URL it was saved for). `get` with another scope finds nothing. Absent in files from before scopes existed.
   */
  scope: z.string().max(2048).optional(),
})
type SecretEntry = z.infer<typeof SecretEntry>

const SecretsDocument = z.object({
  schemaVersion: z.literal(1).default(1),
  entries: z.record(z.string(), z.unknown()).default({}),
})

const LABEL: Record<SecretName, string> = {
  callsAppSecret: 'Calls app secret',
  turnApiToken: 'TURN API token',
  openaiApiKey: 'OpenAI API key',
  workerToken: 'Convene server token',
}

/**
 * The credential vault. Secrets are encrypted before they touch disk, decrypted only inside main, registered
 * with the log redactor, and described to the renderer only as `{ configured, hint }`.
 */
export class Vault {
  private entries = new Map<SecretName, SecretEntry>()
  private plain = new Map<SecretName, string>()
  private storage: StorageInfo = { backend: 'unavailable', secure: false, detail: 'Not initialised yet.' }

  constructor(
    private readonly store: DocumentStore,
    private readonly cipher: SecretCipher,
    private readonly settings: SettingsRepository,
    private readonly redactor: Redactor,
    private readonly log: Logger,
  ) {}

  static async open(options: {
    openStore: OpenDocumentStore
    pathOf: (name: 'secrets') => string
    cipher: SecretCipher
    settings: SettingsRepository
    redactor: Redactor
    log: Logger
    notices: Notice[]
  }): Promise<Vault> {
    const corrupt = quarantineIfCorrupt(options.pathOf('secrets'), 'saved credentials')
    if (corrupt) {
      options.notices.push({
        ...corrupt,
        message: `${corrupt.message} Enter your credentials again in Settings.`,
      })
    }
    const vault = new Vault(
      options.openStore('secrets'),
      options.cipher,
      options.settings,
      options.redactor,
      options.log,
    )
    await vault.load(options.notices)
    return vault
  }

  private async load(notices: Notice[]): Promise<void> {
    this.storage = await this.cipher.info()
    const doc = SecretsDocument.safeParse(this.store.read())
    const entries = doc.success ? doc.data.entries : {}
    const unreadable: string[] = []
    for (const [key, raw] of Object.entries(entries)) {
      const name = SecretName.safeParse(key)
      const entry = SecretEntry.safeParse(raw)
      if (!name.success || !entry.success) continue
      try {
        const value = await this.cipher.decrypt(entry.data.ciphertext)
        this.redactor.add(value)
        this.plain.set(name.data, value)
        this.entries.set(name.data, entry.data)
      } catch {
        unreadable.push(LABEL[name.data])
      }
    }
    if (unreadable.length > 0) {
      notices.push({
        id: 'secrets-unreadable',
        level: 'warning',
        message: `Convene could not decrypt: ${unreadable.join(', ')} (the system keyring may have changed). Enter them again in Settings.`,
      })
      this.log.warn('some secrets could not be decrypted', { count: unreadable.length })
    }
  }

  get storageInfo(): StorageInfo {
    return this.storage
  }

  status(): Record<SecretName, SecretStatus> {
    const out = {} as Record<SecretName, SecretStatus>
    for (const name of SecretName.options) {
      const entry = this.entries.get(name)
      out[name] = { configured: entry !== undefined, hint: entry?.hint ?? '' }
    }
    return out
  }

  /**
   * The secret for main-process clients (Calls, TURN, OpenAI). Never pass the result to the renderer. With
   * `scope`, a secret saved for another scope (another server) is not returned.
   */
  get(name: SecretName, scope?: string): string | undefined {
    const entry = this.entries.get(name)
    if (scope !== undefined && entry?.scope !== undefined && entry.scope !== scope) return undefined
    return this.plain.get(name)
  }

  /** The scope a stored secret is bound to (undefined: not stored, or stored before scopes existed). */
  scopeOf(name: SecretName): string | undefined {
    return this.entries.get(name)?.scope
  }

  /** Bind a secret stored without a scope (from an older version) to `scope`. */
  bind(name: SecretName, scope: string): void {
    const entry = this.entries.get(name)
    if (!entry || entry.scope !== undefined) return
    this.entries.set(name, { ...entry, scope })
    this.persist()
  }

  async set(
    name: SecretName,
    rawValue: string,
    acceptInsecureStorage = false,
    scope?: string,
  ): Promise<void> {
    const value = rawValue.trim()
    const rule = secretRules[name].safeParse(value)
    if (!rule.success) {
      throw AppError.invalidRequest(
        `The ${LABEL[name]} ${rule.error.issues[0]?.message ?? 'is not valid'}.`,
        describeIssues(rule.error).map((line) => line.replace(/^payload: /, '')),
      )
    }
    if (this.storage.backend === 'unavailable') {
      throw new AppError({
        code: 'storage_unavailable',
        message: `This system offers no way to encrypt the ${LABEL[name]}. ${this.storage.detail}`,
        retryable: false,
      })
    }
    if (!this.storage.secure && !this.settings.current.insecureStorageAccepted) {
      if (!acceptInsecureStorage) {
        throw new AppError({
          code: 'insecure_storage',
          message: `No system keyring was found, so the ${LABEL[name]} would be stored with weak protection that any program running as you can undo. Confirm to store it anyway, or install and unlock a keyring (GNOME Keyring or KWallet) and restart Convene.`,
          retryable: false,
        })
      }
      this.settings.acceptInsecureStorage()
    }
    this.redactor.add(value)
    const ciphertext = await this.cipher.encrypt(value)
    // A replaced secret stays registered with the redactor: it may still sit in an in-flight request's log line.
    this.entries.set(name, {
      ciphertext,
      hint: value.slice(-4),
      backend: this.storage.backend,
      updatedAt: Date.now(),
      ...(scope !== undefined ? { scope } : {}),
    })
    this.plain.set(name, value)
    this.persist()
    this.log.info('secret stored', { name, backend: this.storage.backend })
  }

  clear(name: SecretName): void {
    if (!this.entries.delete(name)) return
    this.plain.delete(name)
    this.persist()
    this.log.info('secret cleared', { name })
  }

  private persist(): void {
    this.store.write({ schemaVersion: 1, entries: Object.fromEntries(this.entries) })
  }
}
