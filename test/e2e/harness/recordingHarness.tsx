import { useCallback, useEffect, useMemo, useRef, useState } from 'react'
import { createRoot } from 'react-dom/client'
import type { RecordingSourceKind } from '../../../shared/recording/schemas'
import { RecordingPanel } from '../../../renderer/src/components/recording/RecordingPanel'
import { api } from '../../../renderer/src/platform/api'
import { openChunkSink } from '../../../renderer/src/platform/recordingStream'
import { AudioMixer } from '../../../renderer/src/recording/AudioMixer'
import { apiConsent } from '../../../renderer/src/recording/consent'
import { MeetingCompositor } from '../../../renderer/src/recording/MeetingCompositor'
import { Recorder, type RecordingSource } from '../../../renderer/src/recording/Recorder'
import { displaySource, meetingSource } from '../../../renderer/src/recording/sources'
import '../../../renderer/src/styles.css'

/*
 * Test and bench page: three synthetic participants (an animated canvas and an oscillator each) stand in for the
 * meeting until the meeting view exists, plus the fake-device microphone. It mounts the real recording panel
 * against the real web host. Not shipped: built by test/helpers/recordingHarness.ts.
 */

interface Participant {
  readonly id: string
  readonly name: string
  readonly stream: MediaStream
  readonly stop: () => void
}

const PEOPLE = [
  { id: 'p1', name: 'Ada Lovelace', hue: 210, freq: 220 },
  { id: 'p2', name: 'Grace Hopper', hue: 20, freq: 330 },
  { id: 'p3', name: 'Alan Turing', hue: 130, freq: 440 },
] as const

function syntheticParticipant(
  person: (typeof PEOPLE)[number],
  audio: AudioContext,
  size: { width: number; height: number },
): Participant {
  const canvas = document.createElement('canvas')
  canvas.width = size.width
  canvas.height = size.height
  const ctx = canvas.getContext('2d', { alpha: false })!
  let frame = 0
  // Moving shapes and a counter: content that changes every frame, like a face on camera does.
  const timer = setInterval(() => {
    const t = frame++ / 30
    const g = ctx.createLinearGradient(0, 0, size.width, size.height)
    g.addColorStop(0, `hsl(${person.hue + 20 * Math.sin(t)}, 55%, 35%)`)
    g.addColorStop(1, `hsl(${person.hue + 40}, 60%, 18%)`)
    ctx.fillStyle = g
    ctx.fillRect(0, 0, size.width, size.height)
    ctx.fillStyle = '#ffd166'
    ctx.beginPath()
    ctx.arc(
      size.width / 2 + (size.width / 3) * Math.sin(t * 1.3),
      size.height / 2 + (size.height / 4) * Math.cos(t * 0.9),
      size.height / 8,
      0,
      Math.PI * 2,
    )
    ctx.fill()
    ctx.fillStyle = '#fff'
    ctx.font = `600 ${Math.round(size.height / 9)}px sans-serif`
    ctx.fillText(`${person.name.split(' ')[0]} ${frame}`, 16, size.height / 6)
  }, 33)
  const osc = audio.createOscillator()
  osc.frequency.value = person.freq
  const gain = audio.createGain()
  gain.gain.value = 0.2
  const dest = audio.createMediaStreamDestination()
  osc.connect(gain).connect(dest)
  osc.start()
  const stream = new MediaStream([
    ...canvas.captureStream(30).getVideoTracks(),
    ...dest.stream.getAudioTracks(),
  ])
  return {
    id: person.id,
    name: person.name,
    stream,
    stop: () => {
      clearInterval(timer)
      osc.stop()
      for (const track of stream.getTracks()) track.stop()
    },
  }
}

function Tile({
  participant,
  onVideo,
}: {
  participant: Participant
  onVideo: (id: string, v: HTMLVideoElement) => void
}) {
  const ref = useRef<HTMLVideoElement>(null)
  useEffect(() => {
    const video = ref.current!
    video.srcObject = participant.stream
    void video.play().catch(() => undefined)
    onVideo(participant.id, video)
  }, [participant, onVideo])
  return (
    <figure className="tile" style={{ margin: 0 }}>
      <video ref={ref} muted playsInline width={213} height={120} data-testid="participant-video" />
      <figcaption className="help">{participant.name}</figcaption>
    </figure>
  )
}

const tileSize = { width: 640, height: 360 }
const room = 'abc-defg-hij'
/** Knobs the bench sets through `window.__harness.options` (the query string is gone once api.ts loads). */
const options: { fps?: number } = {}

function Harness() {
  const audio = useMemo(() => new AudioContext(), [])
  const participants = useMemo(() => PEOPLE.map((p) => syntheticParticipant(p, audio, tileSize)), [audio])
  const videos = useRef(new Map<string, HTMLVideoElement>())
  const recorder = useMemo(() => new Recorder({ api: api.recording, openSink: openChunkSink }), [])
  const consent = useMemo(() => apiConsent(api.recording), [])
  const [ready, setReady] = useState(false)
  // The meeting has the microphone open (with echo cancellation) before anyone records, as a call would.
  const mic = useMemo(() => navigator.mediaDevices.getUserMedia({ audio: true }).catch(() => null), [])

  useEffect(() => {
    ;(window as unknown as { __harness: unknown }).__harness = { recorder, participants, options }
    // In a meeting the participants' audio is already flowing before anyone records: start it on the first
    // click anywhere, so a "without recording" measurement includes it too.
    const resume = (): void => void audio.resume()
    document.addEventListener('pointerdown', resume, { once: true })
    void mic.then(() => setReady(true))
    return () => document.removeEventListener('pointerdown', resume)
  }, [recorder, participants, audio, mic])
  const onVideo = useCallback((id: string, video: HTMLVideoElement) => void videos.current.set(id, video), [])

  const createSource = async (kind: RecordingSourceKind): Promise<RecordingSource> => {
    const mixer = new AudioMixer(audio)
    await mixer.resume()
    for (const p of participants) mixer.add(p.id, p.stream.getAudioTracks()[0]!)
    const micTrack = (await mic)?.getAudioTracks()[0]
    if (micTrack) mixer.add('local-mic', micTrack)
    const release = (): void => mixer.dispose()
    if (kind === 'screen') {
      const source = await displaySource({ api: api.recording, mixer, choose: async (s) => s[0]?.id ?? null })
      return { ...source, dispose: () => (source.dispose?.(), release()) }
    }
    const compositor = new MeetingCompositor({
      width: 1280,
      height: 720,
      ...(options.fps ? { fps: options.fps } : {}),
    })
    compositor.setTiles(
      participants.map((p) => ({ id: p.id, label: p.name, source: videos.current.get(p.id) ?? p.stream })),
    )
    const source = meetingSource(compositor, mixer)
    return { ...source, dispose: () => (compositor.dispose(), release()) }
  }

  return (
    <main className="page" data-ready={ready}>
      <h1>Recording harness</h1>
      <div style={{ display: 'flex', gap: 8 }}>
        {participants.map((p) => (
          <Tile key={p.id} participant={p} onVideo={onVideo} />
        ))}
      </div>
      <RecordingPanel
        room={room}
        recorder={recorder}
        consent={consent}
        createSource={createSource}
        api={api.recording}
        shell="web"
        screenAvailable={false}
      />
    </main>
  )
}

createRoot(document.getElementById('root')!).render(<Harness />)
