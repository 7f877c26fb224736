import { useState } from 'react'
import { AppError } from '../../../../shared/errors/AppError'
import type { RecordingSourceKind, RoomRecordingState } from '../../../../shared/recording/schemas'
import type { Recorder, RecordingSource } from '../../recording/Recorder'
import { formatDuration, formatSize } from './format'
import { useRecorder } from './useRecorder'

export interface RecordingControlsProps {
  readonly room: string
  readonly recorder: Recorder
  readonly roomState: RoomRecordingState | null
  /** Builds what to record when the user presses a Record button (inside the click, so audio may start). */
  readonly createSource: (kind: RecordingSourceKind) => Promise<RecordingSource>
  /** Offer "Record screen" (false where display capture is unavailable). */
  readonly screenAvailable?: boolean
  readonly onAllowOthers?: (allow: boolean) => void
}

/** Record / pause / resume / stop for this participant, plus the host's "let others record" switch. */
export function RecordingControls(props: RecordingControlsProps) {
  const { recorder, roomState } = props
  const view = useRecorder(recorder)
  const [startError, setStartError] = useState<string | null>(null)
  const running = view.state === 'recording' || view.state === 'paused'
  const busy = view.state === 'starting' || view.state === 'stopping'
  const blocked = roomState !== null && !roomState.canRecord && !running

  const start = async (kind: RecordingSourceKind): Promise<void> => {
    setStartError(null)
    try {
      const source = await props.createSource(kind)
      await recorder.start(props.room, source)
    } catch (error) {
      const appError = AppError.from(error)
      if (appError.code !== 'closed') setStartError(appError.message)
    }
  }

  return (
    <section className="card rec-controls" aria-label="Recording">
      <div className="actions">
        {!running && (
          <>
            <button
              type="button"
              className="primary"
              disabled={busy || blocked}
              onClick={() => void start('meeting')}
            >
              {view.state === 'starting' ? 'Starting…' : 'Record meeting'}
            </button>
            {props.screenAvailable !== false && (
              <button type="button" disabled={busy || blocked} onClick={() => void start('screen')}>
                Record screen
              </button>
            )}
          </>
        )}
        {view.state === 'recording' && (
          <button type="button" onClick={() => recorder.pause()}>
            Pause
          </button>
        )}
        {view.state === 'paused' && (
          <button type="button" onClick={() => recorder.resume()}>
            Resume
          </button>
        )}
        {(running || view.state === 'stopping') && (
          <button
            type="button"
            className="danger"
            disabled={view.state === 'stopping'}
            onClick={() => void recorder.stop('user').catch(() => undefined)}
          >
            {view.state === 'stopping' ? 'Saving…' : 'Stop recording'}
          </button>
        )}
      </div>
      {running && (
        <p className="help" data-testid="recording-elapsed" data-elapsed-ms={Math.round(view.elapsedMs)}>
          {view.state === 'paused' ? 'Paused at' : 'Recording'} {formatDuration(view.elapsedMs)}
          {view.savedBytes > 0 ? ` · ${formatSize(view.savedBytes)} saved` : ''}
        </p>
      )}
      {blocked && roomState?.reason && <p className="help">{roomState.reason}</p>}
      {view.lastStop && !running && (
        <p
          className={view.lastStop.message ? 'notice notice-warning' : 'help'}
          role="status"
          data-testid="recording-saved"
          data-elapsed-ms={Math.round(view.lastStop.elapsedMs)}
        >
          {view.lastStop.message ? `${view.lastStop.message} ` : ''}
          {view.lastStop.entry
            ? `Saved ${view.lastStop.entry.name} (${formatDuration(view.lastStop.entry.durationMs ?? view.lastStop.elapsedMs)}).`
            : 'Nothing was recorded.'}
        </p>
      )}
      {(startError ?? view.error) && (
        <p className="notice notice-error" role="alert">
          {startError ?? view.error?.message}
        </p>
      )}
      {roomState?.isHost && props.onAllowOthers && (
        <label className="rec-policy">
          <input
            type="checkbox"
            checked={roomState.allowOthers}
            onChange={(event) => props.onAllowOthers?.(event.target.checked)}
          />
          Let participants record this meeting
        </label>
      )}
    </section>
  )
}
