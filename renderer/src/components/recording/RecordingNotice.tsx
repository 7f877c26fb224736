import { useState } from 'react'
import type { RoomRecordingState } from '../../../../shared/recording/schemas'

/**
 * The consent notice: shown to everyone when a recording starts (again after each new start), until they
 * dismiss it. The indicator stays visible after the notice is gone.
 */
export function RecordingNotice({ state }: { readonly state: RoomRecordingState | null }) {
  const active = state?.active ?? false
  const [dismissed, setDismissed] = useState(false)
  const [wasActive, setWasActive] = useState(active)
  // A recording that ends re-arms the notice for the next one (state adjusted during render, no effect).
  if (active !== wasActive) {
    setWasActive(active)
    if (!active) setDismissed(false)
  }
  if (!state || !active || dismissed) return null
  return (
    <div className="notice rec-notice" role="alert" data-testid="recording-notice">
      {state.byMe ? (
        <p>
          <strong>You are recording this meeting.</strong> Everyone in the meeting sees that it is being
          recorded.
        </p>
      ) : (
        <p>
          <strong>{state.byName || 'Someone'} is recording this meeting.</strong> Everyone in the meeting sees
          this notice. Leave the meeting if you do not want to be recorded.
        </p>
      )}
      <button type="button" className="ghost" onClick={() => setDismissed(true)}>
        Dismiss
      </button>
    </div>
  )
}
