import { useCallback, useEffect, useId, useMemo, useRef, useState, useSyncExternalStore } from 'react'
import { createPortal } from 'react-dom'
import { AppError } from '../../../../shared/errors/AppError'
import type { RecordingSourceKind } from '../../../../shared/recording/schemas'
import type { MeetingController } from '../../meeting/MeetingController'
import { api } from '../../platform/api'
import { openChunkSink } from '../../platform/recordingStream'
import { AudioMixer } from '../../recording/AudioMixer'
import { apiConsent } from '../../recording/consent'
import { MeetingCompositor } from '../../recording/MeetingCompositor'
import { MeetingFeed, recordingInputs } from '../../recording/meetingFeed'
import { Recorder, type RecordingSource } from '../../recording/Recorder'
import { meetingSource } from '../../recording/sources'
import { RecordingControls } from './RecordingControls'
import { RecordingNotice } from './RecordingNotice'
import { RecordingsList } from './RecordingsList'
import { useRecorder } from './useRecorder'
import { useRoomRecordingState } from './useRoomRecordingState'
import './recording.css'

/** The recording's canvas: 720p, the size the bench measures and the E2E expects. */
export const MEETING_RECORDING_SIZE = { width: 1280, height: 720 } as const

/**
 * Recording inside a meeting: a "Record" control in the meeting's toolbar that opens the recording panel
 * (record the meeting, pause, resume, stop, the host's "let participants record" switch, the recordings list),
 * and the consent notice every participant gets when someone starts recording. The recording composes the
 * meeting's own tracks (cameras, shares, microphones) and follows people as they come and go; leaving the
 * meeting stops it and keeps the file.
 */
export function MeetingRecording(props: { readonly controller: MeetingController; readonly room: string }) {
  const { controller, room } = props
  const recorder = useMemo(() => new Recorder({ api: api.recording, openSink: openChunkSink }), [])
  const consent = useMemo(() => apiConsent(api.recording), [])
  const roomState = useRoomRecordingState(consent, room)
  const view = useRecorder(recorder)
  const [open, setOpen] = useState(false)
  const [shell, setShell] = useState<'electron' | 'web'>('web')
  const feed = useRef<MeetingFeed | null>(null)
  const button = useRef<HTMLButtonElement>(null)
  const panel = useRef<HTMLDivElement>(null)
  const panelId = useId()

  useEffect(() => {
    void api.app.getInfo({}).then(
      (info) => setShell(info.shell),
      () => undefined,
    )
  }, [])

  // While recording, every change of the meeting (joins, leaves, cameras, shares) reaches the composition.
  const snapshot = useSyncExternalStore(controller.subscribe, () => controller.snapshot)
  useEffect(() => feed.current?.update(recordingInputs(snapshot)), [snapshot])

  // Leaving the meeting (or it ending) unmounts this: stop and keep what was recorded. Main also stops a
  // recording whose room is gone, so a closed tab cannot leave one running.
  useEffect(
    () => () => {
      if (recorder.state === 'recording' || recorder.state === 'paused')
        void recorder.stop('meeting_ended').catch(() => undefined)
    },
    [recorder],
  )

  const createSource = useCallback(
    async (kind: RecordingSourceKind): Promise<RecordingSource> => {
      if (kind !== 'meeting') throw AppError.invalidRequest('Only the meeting can be recorded from here.')
      const mixer = new AudioMixer()
      // Inside the click: a context made outside a user gesture starts suspended.
      await mixer.resume()
      const compositor = new MeetingCompositor(MEETING_RECORDING_SIZE)
      const next = new MeetingFeed(compositor, mixer)
      next.update(recordingInputs(controller.snapshot))
      feed.current = next
      const source = meetingSource(compositor, mixer, { disposeWith: true })
      return {
        ...source,
        dispose: () => {
          if (feed.current === next) feed.current = null
          source.dispose?.()
        },
      }
    },
    [controller],
  )

  // The assistant's confirmed "start/stop recording": main checked consent; record exactly as the button does.
  // Failures reach main as a stopped (or missing) status, and the assistant's card says what happened.
  useEffect(
    () =>
      api.recording.onCommand(({ command }) => {
        if (command === 'start' && (recorder.state === 'idle' || recorder.state === 'stopped')) {
          void createSource('meeting')
            .then((source) => recorder.start(room, source))
            .catch(() => undefined)
        } else if (command === 'stop' && (recorder.state === 'recording' || recorder.state === 'paused')) {
          void recorder.stop('user').catch(() => undefined)
        }
      }),
    [recorder, createSource, room],
  )

  const onAllowOthers = useCallback(
    (allow: boolean) => void consent.setAllowOthers(room, allow).catch(() => undefined),
    [consent, room],
  )

  // Opening moves focus into the panel; Escape closes it from anywhere (its buttons come and go as the
  // recording starts and stops, so focus may have fallen back to the page) and returns focus to the control.
  useEffect(() => {
    if (!open) return
    panel.current?.querySelector<HTMLElement>('button:not([disabled]), input')?.focus()
    const onKey = (event: KeyboardEvent): void => {
      if (event.key !== 'Escape') return
      event.stopPropagation()
      setOpen(false)
      button.current?.focus()
    }
    document.addEventListener('keydown', onKey)
    return () => document.removeEventListener('keydown', onKey)
  }, [open])

  const running = view.state === 'recording' || view.state === 'paused'
  const blocked = roomState !== null && !roomState.canRecord && !running
  const close = (): void => {
    setOpen(false)
    button.current?.focus()
  }

  return (
    <span className="rec-menu">
      <button
        ref={button}
        type="button"
        aria-expanded={open}
        aria-controls={panelId}
        aria-haspopup="dialog"
        data-testid="record-control"
        title={blocked && roomState?.reason ? roomState.reason : undefined}
        onClick={() => setOpen((o) => !o)}
      >
        {view.state === 'paused' ? 'Recording paused' : running ? 'Recording' : 'Record'}
      </button>
      {open && (
        <div ref={panel} id={panelId} className="rec-pop" role="dialog" aria-label="Recording">
          <RecordingControls
            room={room}
            recorder={recorder}
            roomState={roomState}
            createSource={createSource}
            onAllowOthers={onAllowOthers}
            screenAvailable={false}
          />
          <RecordingsList api={api.recording} shell={shell} />
          <button type="button" className="ghost" onClick={close}>
            Close
          </button>
        </div>
      )}
      {createPortal(
        <div className="rec-notice-slot">
          <RecordingNotice state={roomState} />
        </div>,
        document.body,
      )}
    </span>
  )
}
