import { AppError } from '../../../shared/errors/AppError'
import type { ConveneApi } from '../../../shared/ipc/api'
import type { CaptureSource } from '../../../shared/recording/schemas'
import type { AudioMixer } from './AudioMixer'
import type { MeetingCompositor } from './MeetingCompositor'
import type { RecordingSource } from './Recorder'

/**
 * The meeting as seen: the compositor's canvas plus the audio mix. The compositor keeps drawing while the
 * recording runs; `disposeWith` says whether the recording owns the compositor and mixer (made just for it).
 */
export function meetingSource(
  compositor: MeetingCompositor,
  mixer: AudioMixer,
  options: { disposeWith?: boolean } = {},
): RecordingSource {
  compositor.start()
  const stream = new MediaStream([...compositor.stream.getVideoTracks(), ...mixer.stream.getAudioTracks()])
  return {
    kind: 'meeting',
    stream,
    width: compositor.width,
    height: compositor.height,
    ...(options.disposeWith
      ? {
          dispose: () => {
            compositor.dispose()
            mixer.dispose()
          },
        }
      : {}),
  }
}

/** Lets the user pick a screen or window from the desktop shell's list; null means they cancelled. */
export type ChooseCaptureSource = (sources: readonly CaptureSource[]) => Promise<string | null>

/**
 * A screen or window. In the desktop shell: main lists sources (desktopCapturer), the user picks one with
 * `choose`, main answers the following getDisplayMedia with it. In a browser: getDisplayMedia shows the
 * browser's own picker. Sound: the capture's own audio (where the OS offers it) plus the meeting mix, so the
 * participants stay audible over a shared screen.
 */
export async function displaySource(options: {
  api: Pick<ConveneApi['recording'], 'listSources' | 'selectSource'>
  mixer: AudioMixer
  choose: ChooseCaptureSource
  mediaDevices?: Pick<MediaDevices, 'getDisplayMedia'>
}): Promise<RecordingSource> {
  const { supported, sources } = await options.api.listSources({})
  if (supported) {
    const id = await options.choose(sources)
    if (!id) throw AppError.closed('Choosing a screen to record')
    await options.api.selectSource({ id })
  }
  const devices = options.mediaDevices ?? navigator.mediaDevices
  let capture: MediaStream
  try {
    capture = await devices.getDisplayMedia({ video: { frameRate: { ideal: 30, max: 30 } }, audio: true })
  } catch (error) {
    throw new AppError(
      {
        code: 'forbidden',
        message: 'Screen capture was cancelled or is not allowed. Pick a screen or window to record.',
        retryable: true,
      },
      { cause: error },
    )
  }
  const video = capture.getVideoTracks()[0]
  if (!video) throw AppError.closed('The screen capture')
  const systemAudio = capture.getAudioTracks()[0]
  if (systemAudio) options.mixer.add('screen-audio', systemAudio)
  const settings = video.getSettings()
  return {
    kind: 'screen',
    stream: new MediaStream([video, ...options.mixer.stream.getAudioTracks()]),
    // Even sizes: VP8/VP9 encoders want them.
    width: evenSize(settings.width ?? 1280),
    height: evenSize(settings.height ?? 720),
    dispose: () => {
      options.mixer.remove('screen-audio')
      for (const track of capture.getTracks()) track.stop()
    },
  }
}

function evenSize(n: number): number {
  return Math.max(16, Math.round(n / 2) * 2)
}
