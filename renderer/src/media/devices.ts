import { AppError } from '../../../shared/errors/AppError'

export interface DeviceChoice {
  readonly cameraId?: string | undefined
  readonly micId?: string | undefined
}

export interface DeviceLists {
  readonly cameras: readonly MediaDeviceInfo[]
  readonly mics: readonly MediaDeviceInfo[]
  readonly speakers: readonly MediaDeviceInfo[]
}

export async function listDevices(): Promise<DeviceLists> {
  const all = await navigator.mediaDevices.enumerateDevices()
  return {
    cameras: all.filter((d) => d.kind === 'videoinput'),
    mics: all.filter((d) => d.kind === 'audioinput'),
    speakers: all.filter((d) => d.kind === 'audiooutput'),
  }
}

function platformHint(): 'mac' | 'windows' | 'linux' {
  const ua = navigator.userAgent
  if (/Mac/i.test(ua)) return 'mac'
  if (/Windows/i.test(ua)) return 'windows'
  return 'linux'
}

/** Turn a getUserMedia failure into a message that says what to do on this OS. */
export function describeMediaError(
  error: unknown,
  what: 'camera' | 'microphone' | 'camera and microphone',
): AppError {
  const name = error instanceof DOMException ? error.name : ''
  const os = platformHint()
  const settings =
    os === 'mac'
      ? 'Open System Settings → Privacy & Security → ' +
        (what === 'microphone' ? 'Microphone' : 'Camera') +
        ', allow Convene, then restart it.'
      : os === 'windows'
        ? 'Open Settings → Privacy & security → ' +
          (what === 'microphone' ? 'Microphone' : 'Camera') +
          ' and allow desktop apps to use it.'
        : 'Check that no other program holds the device and that your user may use it (the video or audio group).'
  switch (name) {
    case 'NotAllowedError':
    case 'SecurityError':
      return new AppError({
        code: 'forbidden',
        message: `Convene may not use your ${what}. ${settings}`,
        retryable: true,
      })
    case 'NotFoundError':
    case 'OverconstrainedError':
      return new AppError({
        code: 'not_found',
        message: `No ${what} was found. Plug one in, or join with it off.`,
        retryable: true,
      })
    case 'NotReadableError':
    case 'AbortError':
      return new AppError({
        code: 'internal',
        message: `Your ${what} is busy or failed to start. Close other apps that use it (another meeting, a browser tab), then try again.`,
        retryable: true,
      })
    default:
      return new AppError({
        code: 'internal',
        message: `Your ${what} could not be started. ${settings}`,
        retryable: true,
      })
  }
}

export async function openCamera(deviceId?: string): Promise<MediaStreamTrack> {
  try {
    const stream = await navigator.mediaDevices.getUserMedia({
      video: {
        ...(deviceId ? { deviceId: { exact: deviceId } } : {}),
        width: { ideal: 1280 },
        height: { ideal: 720 },
        frameRate: { ideal: 30 },
      },
    })
    return stream.getVideoTracks()[0]!
  } catch (error) {
    throw describeMediaError(error, 'camera')
  }
}

export async function openMic(deviceId?: string): Promise<MediaStreamTrack> {
  try {
    const stream = await navigator.mediaDevices.getUserMedia({
      audio: {
        ...(deviceId ? { deviceId: { exact: deviceId } } : {}),
        echoCancellation: true,
        noiseSuppression: true,
        autoGainControl: true,
      },
    })
    return stream.getAudioTracks()[0]!
  } catch (error) {
    throw describeMediaError(error, 'microphone')
  }
}

/**
 * A level meter over a track (0..1, RMS), polled by the caller. One AudioContext per meter; `close()` frees it.
 */
export function createLevelMeter(track: MediaStreamTrack): { level(): number; close(): void } {
  const ctx = new AudioContext()
  const source = ctx.createMediaStreamSource(new MediaStream([track]))
  const analyser = ctx.createAnalyser()
  analyser.fftSize = 512
  source.connect(analyser)
  const buffer = new Float32Array(analyser.fftSize)
  return {
    level() {
      analyser.getFloatTimeDomainData(buffer)
      let sum = 0
      for (const v of buffer) sum += v * v
      return Math.min(1, Math.sqrt(sum / buffer.length) * 4)
    },
    close() {
      source.disconnect()
      void ctx.close()
    },
  }
}

/** Route an element's audio to a chosen speaker where the browser supports it. */
export async function setSpeaker(element: HTMLMediaElement, deviceId: string): Promise<boolean> {
  const withSink = element as HTMLMediaElement & { setSinkId?: (id: string) => Promise<void> }
  if (typeof withSink.setSinkId !== 'function') return false
  await withSink.setSinkId(deviceId)
  return true
}
