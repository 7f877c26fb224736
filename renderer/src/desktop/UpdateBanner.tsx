import { useUpdateStatus } from './useUpdateStatus'

/** A one-line notice once an update is downloaded and verified; restarting is the user's call, never mid-meeting. */
export function UpdateBanner() {
  const { status, error, install } = useUpdateStatus()
  if (!status || status.phase !== 'downloaded') return null
  return (
    <div className="notice page" role="status" data-testid="update-banner">
      Convene {status.version} is ready{status.autoUpdate ? ' and installs when you quit' : ''}.{' '}
      <button type="button" disabled={status.inMeeting} onClick={() => void install()}>
        {status.inMeeting ? 'Restart after the meeting' : 'Restart now'}
      </button>
      {error && <span className="field-error"> {error}</span>}
    </div>
  )
}
