import { useCallback, useEffect, useState } from 'react'
import type { UpdateStatus } from '../../../shared/desktop/schemas'
import { AppError } from '../../../shared/errors/AppError'
import { api } from '../platform/api'

/** The updater's status, live, plus its actions; `error` holds the last refusal or failure to show. */
export function useUpdateStatus() {
  const [status, setStatus] = useState<UpdateStatus | null>(null)
  const [error, setError] = useState<string | null>(null)
  useEffect(() => {
    let live = true
    api.updates.getStatus({}).then(
      (s) => live && setStatus(s),
      () => undefined,
    )
    const off = api.updates.onStatus(setStatus)
    return () => {
      live = false
      off()
    }
  }, [])
  const run = useCallback(async (action: () => Promise<UpdateStatus>) => {
    try {
      setStatus(await action())
      setError(null)
    } catch (e) {
      setError(AppError.from(e).message)
    }
  }, [])
  return {
    status,
    error,
    check: () => run(() => api.updates.check({})),
    install: () => run(() => api.updates.install({})),
    setAutoUpdate: (enabled: boolean) => run(() => api.updates.setAutoUpdate({ enabled })),
  }
}
