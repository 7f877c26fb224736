import { useId } from 'react'
import type { UpdateStatus } from '../../../shared/desktop/schemas'
import { useUpdateStatus } from './useUpdateStatus'

function describe(status: UpdateStatus): string {
  switch (status.phase) {
    case 'idle':
      return status.autoUpdate ? 'Convene checks for updates daily.' : 'Automatic updates are off.'
    case 'checking':
      return 'Checking for updates…'
    case 'upToDate':
      return `Convene ${status.currentVersion} is up to date.`
    case 'available':
      return `Convene ${status.version ?? ''} is available. It downloads when your meeting ends.`
    case 'downloading':
      return `Downloading Convene ${status.version ?? ''}… ${Math.round(status.percent ?? 0)}%`
    case 'pausing':
      return 'Pausing the download for your meeting…'
    case 'downloaded':
      return status.autoUpdate
        ? `Convene ${status.version ?? ''} is ready. It installs when you quit, or restart now.`
        : `Convene ${status.version ?? ''} is ready. Restart to install it.`
    case 'installing':
      return 'Restarting to install the update…'
    case 'failed':
      return status.message ?? 'The last update attempt failed.'
    default:
      return status.phase satisfies never
  }
}

/** Settings → Updates: the automatic-update switch, the current state, "Check now" and "Restart and install". */
export function UpdatesCard() {
  const { status, error, check, install, setAutoUpdate } = useUpdateStatus()
  const switchId = useId()
  if (!status) return null
  const busy = ['checking', 'downloading', 'pausing', 'installing'].includes(status.phase)
  return (
    <section className="card" aria-labelledby={`${switchId}-title`}>
      <h2 id={`${switchId}-title`}>Updates</h2>
      {!status.supported ? (
        <p className="help" data-testid="updates-unsupported">
          Convene {status.currentVersion}. This copy cannot update itself (a development build, web mode or a
          package your system manages); update it the way you installed it.
        </p>
      ) : (
        <>
          <label htmlFor={switchId} className="row">
            <input
              id={switchId}
              type="checkbox"
              checked={status.autoUpdate}
              onChange={(e) => void setAutoUpdate(e.target.checked)}
            />
            Check for updates automatically
          </label>
          <p
            className={status.phase === 'failed' ? 'field-error' : 'help'}
            role="status"
            data-testid="update-status"
          >
            {describe(status)}
          </p>
          {status.phase === 'downloading' && (
            <progress max={100} value={status.percent ?? 0} aria-label="Update download" />
          )}
          <div className="actions">
            <button type="button" disabled={busy} onClick={() => void check()}>
              Check now
            </button>
            {status.phase === 'downloaded' && (
              <button
                type="button"
                className="primary"
                disabled={status.inMeeting}
                onClick={() => void install()}
              >
                Restart and install
              </button>
            )}
          </div>
          {status.phase === 'downloaded' && status.inMeeting && (
            <p className="help">Convene will not restart during a meeting.</p>
          )}
        </>
      )}
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
    </section>
  )
}
