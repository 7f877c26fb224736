import type { RoomView } from '../../../shared/room/protocol'
import { trackKey } from '../engine/MeetingEngine'
import { participantTracks } from '../meeting/MeetingController'
import type { AudioMixer } from './AudioMixer'
import type { CompositorTile, MeetingCompositor } from './MeetingCompositor'
import type { LayoutKind } from './layout'

/** The parts of the meeting's state a recording reads (MeetingController's snapshot has them all). */
export interface MeetingMedia {
  readonly view: RoomView | null
  readonly me: string | null
  readonly cameraOn: boolean
  readonly localCamera: MediaStreamTrack | null
  readonly localScreen: MediaStreamTrack | null
  readonly localMic: MediaStreamTrack | null
  /** Remote tracks by `<sessionId>/<trackName>`. */
  readonly remote: ReadonlyMap<string, MediaStreamTrack>
}

export interface RecordingTile {
  readonly id: string
  readonly label: string
  /** Null shows the name's initials (camera off, or the track has not arrived yet). */
  readonly track: MediaStreamTrack | null
}

/** What the recording shows and mixes at one moment of the meeting. */
export interface RecordingInputs {
  readonly tiles: readonly RecordingTile[]
  /** A screen share takes the large tile of the speaker layout; otherwise everyone gets an equal tile. */
  readonly layout: { readonly kind: LayoutKind; readonly focusId: string | null }
  /** Every voice: the local microphone (`local-mic`) and each remote participant's microphone, by id. */
  readonly audio: ReadonlyMap<string, MediaStreamTrack>
}

/**
 * The meeting as the recording sees it: one camera tile per participant (in the room's order, names drawn on
 * them), one tile per screen share, and everyone's microphone. Pure: the same meeting state gives the same
 * inputs, so it is recomputed on every change and the compositor and mixer keep only what differs.
 */
export function recordingInputs(media: MeetingMedia): RecordingInputs {
  const tiles: RecordingTile[] = []
  const audio = new Map<string, MediaStreamTrack>()
  for (const p of media.view?.participants ?? []) {
    const self = p.id === media.me
    const t = participantTracks(p)
    const remote = (name: string | undefined): MediaStreamTrack | null =>
      p.tracks && name
        ? (media.remote.get(trackKey({ sessionId: p.tracks.sessionId, trackName: name })) ?? null)
        : null
    const camera = self
      ? media.cameraOn
        ? media.localCamera
        : null
      : t.camera && !t.camera.muted
        ? remote(t.camera.name)
        : null
    tiles.push({ id: `${p.id}:camera`, label: self ? `${p.name} (you)` : p.name, track: camera })
    if (t.screen) {
      const screen = self ? media.localScreen : remote(t.screen.name)
      tiles.push({ id: `${p.id}:screen`, label: `${p.name}'s screen`, track: screen })
    }
    const mic = self ? media.localMic : remote(t.mic?.name)
    if (mic) audio.set(self ? 'local-mic' : p.id, mic)
  }
  const share = tiles.find((tile) => tile.id.endsWith(':screen'))
  return {
    tiles,
    layout: share ? { kind: 'speaker', focusId: share.id } : { kind: 'grid', focusId: null },
    audio,
  }
}

/**
 * Keeps a compositor and a mixer showing the meeting while a recording runs: people join and leave, cameras
 * and shares start and stop, and the recording follows without restarting.
 */
export class MeetingFeed {
  /** One stream per track, so a tile keeps its element while its track stays the same. */
  private readonly streams = new WeakMap<MediaStreamTrack, MediaStream>()
  private lastLayout = ''

  constructor(
    readonly compositor: MeetingCompositor,
    readonly mixer: AudioMixer,
  ) {}

  update(inputs: RecordingInputs): void {
    this.compositor.setTiles(inputs.tiles.map((tile) => this.tileFor(tile)))
    const layout = `${inputs.layout.kind}\n${inputs.layout.focusId ?? ''}`
    if (layout !== this.lastLayout) {
      this.lastLayout = layout
      this.compositor.setLayout(inputs.layout.kind, inputs.layout.focusId)
    }
    this.mixer.sync(inputs.audio)
  }

  private tileFor(tile: RecordingTile): CompositorTile {
    if (!tile.track) return { id: tile.id, label: tile.label, source: null }
    let stream = this.streams.get(tile.track)
    if (!stream) this.streams.set(tile.track, (stream = new MediaStream([tile.track])))
    return { id: tile.id, label: tile.label, source: stream }
  }
}
