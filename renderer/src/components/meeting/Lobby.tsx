import { useEffect, useId, useRef, useState } from 'react'
import { AppError } from '../../../../shared/errors/AppError'
import { createLevelMeter, listDevices, openCamera, openMic, type DeviceLists } from '../../media/devices'

export interface JoinChoice {
  readonly camera: MediaStreamTrack | null
  readonly mic: MediaStreamTrack | null
  readonly speakerId: string | null
}

/**
 * Before joining: camera preview, device pickers (camera, microphone, speaker), a live microphone level, and the
 * choice to join with either off. Device errors say what to do; the user can always join without the device.
 */
export function Lobby(props: {
  readonly name: string
  readonly joining: boolean
  readonly onJoin: (choice: JoinChoice) => void
}) {
  const [devices, setDevices] = useState<DeviceLists>({ cameras: [], mics: [], speakers: [] })
  const [cameraOn, setCameraOn] = useState(true)
  const [micOn, setMicOn] = useState(true)
  const [cameraId, setCameraId] = useState<string>('')
  const [micId, setMicId] = useState<string>('')
  const [speakerId, setSpeakerId] = useState<string>('')
  const [camera, setCamera] = useState<MediaStreamTrack | null>(null)
  const [mic, setMic] = useState<MediaStreamTrack | null>(null)
  const [cameraError, setCameraError] = useState<string | null>(null)
  const [micError, setMicError] = useState<string | null>(null)
  const [level, setLevel] = useState(0)
  const videoRef = useRef<HTMLVideoElement>(null)
  /** Set on Join: the meeting owns the tracks from then on, so unmounting must not stop them. */
  const handedOver = useRef(false)
  const ids = { camera: useId(), mic: useId(), speaker: useId() }

  useEffect(() => {
    let stopped = false
    let track: MediaStreamTrack | null = null
    if (cameraOn) {
      openCamera(cameraId || undefined)
        .then((t) => {
          if (stopped) return t.stop()
          track = t
          setCamera(t)
          setCameraError(null)
          void listDevices().then(setDevices)
        })
        .catch((e: unknown) => !stopped && setCameraError(AppError.from(e).message))
    }
    return () => {
      stopped = true
      if (!handedOver.current) track?.stop()
      setCamera(null)
    }
  }, [cameraOn, cameraId])

  useEffect(() => {
    let stopped = false
    let track: MediaStreamTrack | null = null
    if (micOn) {
      openMic(micId || undefined)
        .then((t) => {
          if (stopped) return t.stop()
          track = t
          setMic(t)
          setMicError(null)
          void listDevices().then(setDevices)
        })
        .catch((e: unknown) => !stopped && setMicError(AppError.from(e).message))
    }
    return () => {
      stopped = true
      if (!handedOver.current) track?.stop()
      setMic(null)
    }
  }, [micOn, micId])

  useEffect(() => {
    if (videoRef.current) videoRef.current.srcObject = camera ? new MediaStream([camera]) : null
  }, [camera])

  useEffect(() => {
    if (!mic) return
    const meter = createLevelMeter(mic)
    const timer = setInterval(() => setLevel(meter.level()), 100)
    return () => {
      clearInterval(timer)
      meter.close()
      setLevel(0)
    }
  }, [mic])

  // Join waits for devices that are starting, so it never joins muted by accident.
  const starting = (cameraOn && !camera && !cameraError) || (micOn && !mic && !micError)

  const join = (): void => {
    handedOver.current = true
    props.onJoin({ camera: cameraOn ? camera : null, mic: micOn ? mic : null, speakerId: speakerId || null })
  }

  return (
    <section aria-label="Before you join">
      <div className="lobby-grid">
        <div className="preview">
          <video
            ref={videoRef}
            autoPlay
            playsInline
            muted
            className="mirror"
            hidden={!camera}
            aria-label="Your camera preview"
          />
          {!camera && (
            <div className="avatar">
              {cameraOn ? (cameraError ? 'Camera unavailable' : 'Starting camera…') : 'Camera off'}
            </div>
          )}
          <div
            className="meter"
            role="meter"
            aria-label="Microphone level"
            aria-valuemin={0}
            aria-valuemax={100}
            aria-valuenow={Math.round(level * 100)}
          >
            <div className="meter-fill" style={{ width: `${Math.round(level * 100)}%` }} />
          </div>
        </div>
        <div className="card">
          <p>
            Joining as <strong>{props.name || 'Guest'}</strong>
          </p>
          <div className="row">
            <button type="button" aria-pressed={cameraOn} onClick={() => setCameraOn((v) => !v)}>
              {cameraOn ? 'Camera on' : 'Camera off'}
            </button>
            <button type="button" aria-pressed={micOn} onClick={() => setMicOn((v) => !v)}>
              {micOn ? 'Microphone on' : 'Microphone off'}
            </button>
          </div>
          {cameraError && (
            <p className="field-error" role="alert">
              {cameraError}
            </p>
          )}
          {micError && (
            <p className="field-error" role="alert">
              {micError}
            </p>
          )}
          <label htmlFor={ids.camera}>Camera</label>
          <select id={ids.camera} value={cameraId} onChange={(e) => setCameraId(e.target.value)}>
            <option value="">Default</option>
            {devices.cameras.map((d) => (
              <option key={d.deviceId} value={d.deviceId}>
                {d.label || 'Camera'}
              </option>
            ))}
          </select>
          <label htmlFor={ids.mic}>Microphone</label>
          <select id={ids.mic} value={micId} onChange={(e) => setMicId(e.target.value)}>
            <option value="">Default</option>
            {devices.mics.map((d) => (
              <option key={d.deviceId} value={d.deviceId}>
                {d.label || 'Microphone'}
              </option>
            ))}
          </select>
          <label htmlFor={ids.speaker}>Speaker</label>
          <select id={ids.speaker} value={speakerId} onChange={(e) => setSpeakerId(e.target.value)}>
            <option value="">Default</option>
            {devices.speakers.map((d) => (
              <option key={d.deviceId} value={d.deviceId}>
                {d.label || 'Speaker'}
              </option>
            ))}
          </select>
          <div className="actions">
            <button type="button" className="primary" disabled={props.joining || starting} onClick={join}>
              {props.joining ? 'Joining…' : starting ? 'Starting devices…' : 'Join'}
            </button>
          </div>
        </div>
      </div>
    </section>
  )
}
