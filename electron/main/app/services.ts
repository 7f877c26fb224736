import type { AppInfo, LogEntry } from '../../../shared/ipc/contract'
import { createLogger, RingBuffer, type Logger, type LogSink } from '../../../shared/log/logger'
import { Redactor } from '../../../shared/log/redact'
import type { Notice, SettingsView } from '../../../shared/settings/schema'
import { EventHub } from '../ipc/events'
import { createHandlers } from '../ipc/handlers'
import { createRouter, type Router } from '../ipc/router'
import { SettingsRepository } from '../settings/SettingsRepository'
import type { OpenDocumentStore } from '../storage/documentStore'
import type { SecretCipher } from '../vault/cipher'
import { Vault } from '../vault/Vault'

/**
 * What differs between the Electron app and the Node web-mode host. Everything else (vault, settings, handlers,
 * router) is the same code.
 */
export interface Platform {
  readonly info: AppInfo
  readonly openStore: OpenDocumentStore
  readonly pathOf: (name: 'settings' | 'secrets') => string
  readonly cipher: SecretCipher
  /** Open an already-validated https URL in the system browser; false where the shell cannot (web mode). */
  readonly openExternal: (url: string) => Promise<boolean>
  /** Extra log sinks (a file, the console). */
  readonly logSinks: readonly LogSink[]
}

export interface Services {
  readonly log: Logger
  readonly redactor: Redactor
  readonly logBuffer: RingBuffer<LogEntry>
  readonly events: EventHub
  readonly settings: SettingsRepository
  readonly vault: Vault
  readonly notices: Notice[]
  readonly router: Router
  view(): SettingsView
}

export async function createServices(platform: Platform): Promise<Services> {
  const redactor = new Redactor()
  const logBuffer = new RingBuffer<LogEntry>(2000)
  const log = createLogger('main', [(entry) => logBuffer.push(entry), ...platform.logSinks], redactor)
  const notices: Notice[] = []
  const settings = SettingsRepository.open(platform.openStore, platform.pathOf, notices)
  const vault = await Vault.open({
    openStore: platform.openStore,
    pathOf: platform.pathOf,
    cipher: platform.cipher,
    settings,
    redactor,
    log: log.child('vault'),
    notices,
  })
  for (const notice of notices) log.warn('startup notice', { id: notice.id, message: notice.message })
  if (!vault.storageInfo.secure) {
    notices.push({ id: 'storage-insecure', level: 'warning', message: vault.storageInfo.detail })
  }
  const events = new EventHub()
  const view = (): SettingsView => ({
    ...settings.current,
    secrets: vault.status(),
    storage: vault.storageInfo,
    notices: [...notices],
  })
  const services = { log, redactor, logBuffer, events, settings, vault, notices, view }
  const router = createRouter(createHandlers(services, platform), { log: log.child('ipc') })
  log.info('services ready', { shell: platform.info.shell, storage: vault.storageInfo.backend })
  return { ...services, router }
}
