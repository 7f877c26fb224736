import { SettingsV1, type Notice } from '../../../shared/settings/schema'

export const CURRENT_SETTINGS_VERSION = 1

/**
 * Migrations from version N to N+1, applied in order. Version 0 is a file without `schemaVersion` (written before
 * versioning, or by hand); its fields already have the v1 shape. The next schema change adds a function here and a
 * fixture-based test beside it.
 */
const migrations: ReadonlyArray<(doc: Record<string, unknown>) => Record<string, unknown>> = [
  (doc) => ({ ...doc, schemaVersion: 1 }),
]

export interface MigrationOutcome {
  readonly settings: SettingsV1
  /** The document to write back: known fields in current form, unknown ones (from a newer version) preserved. */
  readonly document: Record<string, unknown>
  readonly notices: Notice[]
}

/**
 * Bring any stored document to the current schema. Never throws: a field that fails validation falls back to its
 * default and is named in a notice, and every other field is kept.
 */
export function migrateSettings(raw: Record<string, unknown>): MigrationOutcome {
  const notices: Notice[] = []
  const version = typeof raw['schemaVersion'] === 'number' ? raw['schemaVersion'] : 0
  let doc = { ...raw }
  if (version > CURRENT_SETTINGS_VERSION) {
    notices.push({
      id: 'settings-newer',
      level: 'info',
      message:
        'These settings were saved by a newer version of Convene. Settings this version does not know are kept unchanged.',
    })
  } else {
    for (let v = Math.max(0, Math.floor(version)); v < CURRENT_SETTINGS_VERSION; v++)
      doc = migrations[v]!(doc)
  }

  const defaults = SettingsV1.parse({ schemaVersion: 1 })
  const settings: Record<string, unknown> = { ...defaults }
  const reset: string[] = []
  for (const key of Object.keys(SettingsV1.shape) as Array<keyof SettingsV1>) {
    if (key === 'schemaVersion' || !(key in doc)) continue
    const field = SettingsV1.shape[key].safeParse(doc[key])
    if (field.success) settings[key] = field.data
    else reset.push(key)
  }
  if (reset.length > 0) {
    notices.push({
      id: 'settings-reset-fields',
      level: 'warning',
      message: `Some settings were invalid and were reset to their defaults: ${reset.join(', ')}. Everything else was kept.`,
    })
  }
  const parsed = SettingsV1.parse(settings)
  const schemaVersion = Math.max(version, CURRENT_SETTINGS_VERSION)
  return { settings: parsed, document: { ...doc, ...parsed, schemaVersion }, notices }
}
