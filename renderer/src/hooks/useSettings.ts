import { useCallback, useEffect, useState } from 'react'
import { AppError } from '../../../shared/errors/AppError'
import type { SettingsView } from '../../../shared/settings/schema'
import { api } from '../platform/api'

export interface SettingsState {
  readonly settings: SettingsView | null
  readonly error: AppError | null
  readonly reload: () => void
}

/** Settings from main, kept current by the `settings:changed` event. */
export function useSettings(): SettingsState {
  const [settings, setSettings] = useState<SettingsView | null>(null)
  const [error, setError] = useState<AppError | null>(null)
  const reload = useCallback(() => {
    api.settings
      .get({})
      .then((view) => {
        setSettings(view)
        setError(null)
      })
      .catch((e: unknown) => setError(AppError.from(e)))
  }, [])
  useEffect(() => {
    reload()
    return api.settings.onChanged(setSettings)
  }, [reload])
  return { settings, error, reload }
}
