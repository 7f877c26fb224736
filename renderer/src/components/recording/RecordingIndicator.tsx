import type { RoomRecordingState } from '../../../../shared/recording/schemas'

/**
 * The badge every participant sees while anyone records the room. It is driven by the room's flag, not by
 * this app's recorder, so it shows the same thing on every screen.
 */
export function RecordingIndicator({ state }: { readonly state: RoomRecordingState | null }) {
  if (!state?.active) return null
  const text = state.paused ? 'Recording paused' : 'Recording'
  return (
    <div
      className={`rec-indicator${state.paused ? ' rec-paused' : ''}`}
      role="status"
      aria-live="polite"
      data-testid="recording-indicator"
    >
      <span className="rec-dot" aria-hidden="true" />
      <span>
        {text}
        {state.byMe ? (
          <span className="rec-by"> · by you</span>
        ) : state.byName ? (
          <span className="rec-by"> · {state.byName}</span>
        ) : null}
      </span>
    </div>
  )
}
