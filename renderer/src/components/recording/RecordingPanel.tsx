import { useMemo } from 'react'
import type { ConveneApi } from '../../../../shared/ipc/api'
import type { RecordingSourceKind } from '../../../../shared/recording/schemas'
import type { RecordingConsent } from '../../recording/consent'
import type { Recorder, RecordingSource } from '../../recording/Recorder'
import { RecordingControls } from './RecordingControls'
import { RecordingIndicator } from './RecordingIndicator'
import { RecordingNotice } from './RecordingNotice'
import { RecordingsList } from './RecordingsList'
import { useRoomRecordingState } from './useRoomRecordingState'
import './recording.css'

export interface RecordingPanelProps {
  readonly room: string
  readonly recorder: Recorder
  readonly consent: RecordingConsent
  readonly createSource: (kind: RecordingSourceKind) => Promise<RecordingSource>
  readonly api: ConveneApi['recording']
  readonly shell: 'electron' | 'web'
  readonly screenAvailable?: boolean
}

/** Everything recording in one place for a meeting view: indicator, consent notice, controls, the list. */
export function RecordingPanel(props: RecordingPanelProps) {
  const roomState = useRoomRecordingState(props.consent, props.room)
  const { consent, room } = props
  const onAllowOthers = useMemo(
    () => (allow: boolean) => void consent.setAllowOthers(room, allow).catch(() => undefined),
    [consent, room],
  )
  return (
    <div className="rec-panel">
      <RecordingIndicator state={roomState} />
      <RecordingNotice state={roomState} />
      <RecordingControls
        room={props.room}
        recorder={props.recorder}
        roomState={roomState}
        createSource={props.createSource}
        onAllowOthers={onAllowOthers}
        {...(props.screenAvailable !== undefined ? { screenAvailable: props.screenAvailable } : {})}
      />
      <RecordingsList api={props.api} shell={props.shell} />
    </div>
  )
}
