import type { CallState } from '../../../shared/call/callMachine'
import { layerForTile, nextSpeaker, type Rid, type SpeakerState } from '../../../shared/call/layout'
import { AppError } from '../../../shared/errors/AppError'
import type { ConveneApi } from '../../../shared/ipc/api'
import { activityNotices } from '../../../shared/room/activity'
import type {
  HostAction,
  Participant,
  ParticipantActivity,
  RoomChange,
  RoomView,
  TrackInfo,
} from '../../../shared/room/protocol'
import { applyChange, versionVerdict } from '../../../shared/room/view'
import { MeetingEngine, trackKey, type Publication } from '../engine/MeetingEngine'
import { ipcCallsPort } from '../engine/ipcCallsPort'
import type { TrackStats } from '../engine/stats'
import type { RemoteTrackRef } from '../engine/types'
import { openCamera } from '../media/devices'
import { mergeChat } from './chatMerge'

export interface ChatLineState {
  readonly id: string
  readonly name: string
  readonly text: string
  readonly at: number
  readonly mine: boolean
  readonly acked: boolean
  readonly failed?: string
}

export interface MeetingSnapshot {
  readonly phase: 'joining' | 'waiting' | 'in-meeting' | 'left' | 'removed' | 'ended' | 'failed'
  readonly message: string | null
  readonly me: string | null
  readonly view: RoomView | null
  readonly call: CallState
  readonly roomState: string
  readonly micOn: boolean
  readonly cameraOn: boolean
  readonly sharing: boolean
  readonly handRaised: boolean
  readonly localCamera: MediaStreamTrack | null
  readonly localScreen: MediaStreamTrack | null
  /** The microphone we publish (disabled while muted), for the local recording's audio mix. */
  readonly localMic: MediaStreamTrack | null
  /** Remote tracks by `<sessionId>/<trackName>`. */
  readonly remote: ReadonlyMap<string, MediaStreamTrack>
  readonly stats: ReadonlyMap<string, TrackStats>
  readonly speakerId: string | null
  readonly chat: readonly ChatLineState[]
  readonly unread: number
  readonly toasts: readonly { id: number; text: string }[]
  readonly reactions: ReadonlyMap<string, string>
}

const initial: MeetingSnapshot = {
  phase: 'joining',
  message: null,
  me: null,
  view: null,
  call: { kind: 'idle' },
  roomState: 'idle',
  micOn: false,
  cameraOn: false,
  sharing: false,
  handRaised: false,
  localCamera: null,
  localScreen: null,
  localMic: null,
  remote: new Map(),
  stats: new Map(),
  speakerId: null,
  chat: [],
  unread: 0,
  toasts: [],
  reactions: new Map(),
}

/**
 * Binds the media engine to the room: publishes our tracks into the room's track directory, pulls everyone
 * else's, follows host orders, keeps chat with delivery state. Plain TypeScript; React reads `snapshot` through
 * `useSyncExternalStore`.
 */
export class MeetingController {
  private snap: MeetingSnapshot = initial
  private readonly listeners = new Set<() => void>()
  private readonly engine: MeetingEngine
  private readonly disposers: Array<() => void> = []
  private mic: MediaStreamTrack | null = null
  private camera: MediaStreamTrack | null = null
  private screen: MediaStreamTrack | null = null
  private publications: Publication[] = []
  private sessionId: string | null = null
  private speaker: SpeakerState = { current: null, candidate: null }
  private readonly tileSizes = new Map<string, { w: number; h: number }>()
  private layerTimer: ReturnType<typeof setTimeout> | undefined
  private toastId = 0
  private readonly stopRecordingListeners = new Set<() => void>()
  private chatVisible = false

  constructor(
    private readonly api: ConveneApi,
    private readonly room: string,
    private readonly name: string,
  ) {
    this.engine = new MeetingEngine(ipcCallsPort(api))
    this.engine.events.on('state', (call) => this.set({ call }))
    this.engine.events.on('remoteTrack', (key, track) => {
      const remote = new Map(this.snap.remote)
      remote.set(key, track)
      this.set({ remote })
    })
    this.engine.events.on('remoteTrackGone', (key) => {
      if (!this.snap.remote.has(key)) return
      const remote = new Map(this.snap.remote)
      remote.delete(key)
      this.set({ remote })
    })
    this.engine.events.on('session', (sessionId, publications) => {
      this.sessionId = sessionId
      if (this.publications.length > 0) this.publications = [...publications]
      void this.announce()
    })
    this.engine.events.on('stats', (_all, byKey) => this.onStats(byKey))
    this.engine.events.on('error', (error) => this.toast(error.message))
  }

  get snapshot(): MeetingSnapshot {
    return this.snap
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener)
    return () => void this.listeners.delete(listener)
  }

  async join(media: { camera: MediaStreamTrack | null; mic: MediaStreamTrack | null }): Promise<void> {
    this.mic = media.mic
    this.camera = media.camera
    this.set({
      micOn: media.mic !== null,
      cameraOn: media.camera !== null,
      localCamera: media.camera,
      localMic: media.mic,
    })
    this.listen()
    try {
      const joined = await this.api.room.join({ room: this.room, name: this.name })
      this.set({
        me: joined.participantId,
        view: joined.view,
        phase: joined.status === 'waiting' ? 'waiting' : 'in-meeting',
      })
      if (joined.view) this.seedChat(joined.view)
      await this.engine.join()
      const tracks = [
        ...(this.mic ? [{ track: this.mic, kind: 'mic' as const }] : []),
        ...(this.camera ? [{ track: this.camera, kind: 'camera' as const, simulcast: true }] : []),
      ]
      this.publications = tracks.length > 0 ? await this.engine.publish(tracks) : []
      this.sessionId = this.engine.currentSessionId ?? null
      await this.announce()
      this.syncSubscriptions()
    } catch (error) {
      this.set({ phase: 'failed', message: AppError.from(error).message })
    }
  }

  async leave(): Promise<void> {
    this.engine.leave()
    await this.api.room.leave({}).catch(() => undefined)
    this.stopLocal()
    this.set({ phase: 'left' })
    this.dispose()
  }

  async toggleMic(): Promise<void> {
    if (!this.mic) return this.toast('No microphone is in use. Rejoin with the microphone on to speak.')
    const on = !this.snap.micOn
    this.mic.enabled = on
    this.set({ micOn: on })
    await this.announce()
  }

  async toggleCamera(): Promise<void> {
    const pub = this.publications.find((p) => p.kind === 'camera')
    if (this.snap.cameraOn) {
      this.camera?.stop()
      this.camera = null
      if (pub) await this.engine.replaceTrack(pub.trackName, null)
      this.set({ cameraOn: false, localCamera: null })
    } else {
      try {
        const track = await openCamera()
        this.camera = track
        if (pub) await this.engine.replaceTrack(pub.trackName, track)
        else
          this.publications = [
            ...this.publications,
            ...(await this.engine.publish([{ track, kind: 'camera', simulcast: true }])),
          ]
        this.set({ cameraOn: true, localCamera: track })
      } catch (error) {
        this.toast(AppError.from(error).message)
        return
      }
    }
    await this.announce()
  }

  async toggleShare(getDisplay: () => Promise<MediaStream>): Promise<void> {
    if (this.screen) return this.stopShare()
    try {
      const stream = await getDisplay()
      const track = stream.getVideoTracks()[0]
      if (!track) return
      this.screen = track
      track.addEventListener('ended', () => void this.stopShare())
      this.publications = [...this.publications, ...(await this.engine.publish([{ track, kind: 'screen' }]))]
      this.set({ sharing: true, localScreen: track })
      await this.announce()
    } catch (error) {
      if (error instanceof DOMException && error.name === 'NotAllowedError') return
      this.toast(AppError.from(error).message)
    }
  }

  async stopShare(): Promise<void> {
    const track = this.screen
    if (!track) return
    this.screen = null
    track.stop()
    const pub = this.publications.find((p) => p.kind === 'screen')
    this.publications = this.publications.filter((p) => p !== pub)
    this.set({ sharing: false, localScreen: null })
    await this.announce()
    if (pub) await this.engine.unpublish([pub.trackName]).catch(() => undefined)
  }

  async sendChat(text: string): Promise<void> {
    const { id } = await this.api.room.sendChat({ text })
    this.set({
      chat: [...this.snap.chat, { id, name: this.name, text, at: Date.now(), mine: true, acked: false }],
    })
  }

  async hostAction(action: HostAction): Promise<void> {
    await this.api.room.hostAction({ action }).catch((e: unknown) => this.toast(AppError.from(e).message))
  }

  /**
   * Tell the room what this participant runs (recording, captions, assistant), so everyone is told. Rejects with
   * the room's reason (e.g. `forbidden` when the host does not allow participants to record).
   */
  async setActivity(activity: Partial<ParticipantActivity>): Promise<void> {
    await this.api.room.setActivity({ activity })
  }

  /** Called when a host forbids participants to record while this one records. Returns a disposer. */
  onStopRecording(listener: () => void): () => void {
    this.stopRecordingListeners.add(listener)
    return () => void this.stopRecordingListeners.delete(listener)
  }

  async setHand(raised: boolean): Promise<void> {
    this.set({ handRaised: raised })
    await this.api.room.setHand({ raised }).catch(() => undefined)
  }

  async react(emoji: string): Promise<void> {
    await this.api.room.react({ emoji }).catch(() => undefined)
  }

  setChatVisible(visible: boolean): void {
    this.chatVisible = visible
    if (visible && this.snap.unread > 0) this.set({ unread: 0 })
  }

  /** A tile reports its size; layers are re-chosen at most every 300 ms (one batched `tracks/update`). */
  tileResized(key: string, width: number, height: number): void {
    this.tileSizes.set(key, { w: width, h: height })
    clearTimeout(this.layerTimer)
    this.layerTimer = setTimeout(() => {
      const layers = new Map<string, Rid>()
      for (const [k, size] of this.tileSizes) {
        layers.set(
          k,
          layerForTile({
            widthPx: size.w,
            heightPx: size.h,
            kind: k.includes('/screen-') ? 'screen' : 'camera',
            dataSaver: false,
          }),
        )
      }
      void this.engine.setLayers(layers).catch(() => undefined)
    }, 300)
  }

  // ---- room events ---------------------------------------------------------------------------------------

  private listen(): void {
    this.disposers.push(
      this.api.room.onView((view) => {
        this.set({ view })
        // A whole view comes after every reconnect: chat said while we were away is only in it.
        this.mergeChat(view)
        this.syncSubscriptions()
      }),
      this.api.room.onDelta(({ version, change }) => {
        const view = this.snap.view
        if (!view) return
        const verdict = versionVerdict(view.version, version, true)
        if (verdict === 'resync') {
          void this.api.room.getState({}).then((s) => s.view && this.set({ view: s.view }))
          return
        }
        if (verdict === 'ignore') return
        this.set({ view: applyChange(view, change, version) })
        this.onChange(change, view)
        this.syncSubscriptions()
      }),
      this.api.room.onStatus((status) => {
        // A room that lost its state (restarted without storage) admits us again under a new id.
        const me = this.snap.me !== null && status.participantId ? status.participantId : this.snap.me
        this.set({ roomState: status.state, me })
        if (status.state === 'closed' && status.reason) {
          const removed = status.reason === 'removed'
          const ended = status.reason === 'ended'
          if (removed || ended || status.reason === 'denied') {
            this.engine.leave()
            this.stopLocal()
            this.set({
              phase: removed || status.reason === 'denied' ? 'removed' : 'ended',
              message: removed
                ? 'A host removed you from the meeting.'
                : ended
                  ? 'The host ended the meeting for everyone.'
                  : 'A host did not let you in.',
            })
          }
        }
        if (status.state === 'joined' && this.snap.phase === 'waiting') this.set({ phase: 'in-meeting' })
      }),
      this.api.room.onChatStatus((s) => {
        this.set({
          chat: this.snap.chat.map((l) =>
            l.id === s.id
              ? {
                  ...l,
                  acked: s.state === 'acked',
                  ...(s.state === 'failed' ? { failed: s.message ?? 'not sent' } : {}),
                }
              : l,
          ),
        })
      }),
      this.api.room.onSignal((signal) => {
        if (signal.kind === 'order' && signal.order === 'stopRecording') {
          for (const listener of this.stopRecordingListeners) listener()
          this.toast('A host does not allow participants to record; your recording was stopped.')
        } else if (signal.kind === 'order') {
          if (signal.order === 'mute' && this.snap.micOn) void this.toggleMic()
          if (signal.order === 'stopVideo' && this.snap.cameraOn) void this.toggleCamera()
          this.toast(
            signal.order === 'mute' ? 'A host muted your microphone.' : 'A host turned off your camera.',
          )
        } else {
          const reactions = new Map(this.snap.reactions)
          reactions.set(signal.from, signal.emoji)
          this.set({ reactions })
          setTimeout(() => {
            const next = new Map(this.snap.reactions)
            if (next.get(signal.from) === signal.emoji) next.delete(signal.from)
            this.set({ reactions: next })
          }, 3000)
        }
      }),
    )
  }

  private onChange(change: RoomChange, before: RoomView): void {
    if (change.kind === 'joined' || change.kind === 'updated') {
      const earlier = before.participants.find((p) => p.id === change.participant.id)
      const self = change.participant.id === this.snap.me
      for (const text of activityNotices(earlier?.activity ?? null, change.participant, self))
        this.toast(text)
    }
    if (change.kind === 'chat') {
      const m = change.message
      const mine = m.from === this.snap.me
      if (mine && this.snap.chat.some((l) => l.id === m.id)) {
        this.set({ chat: this.snap.chat.map((l) => (l.id === m.id ? { ...l, acked: true, at: m.at } : l)) })
        return
      }
      if (this.snap.chat.some((l) => l.id === m.id)) return
      this.set({
        chat: [...this.snap.chat, { id: m.id, name: m.name, text: m.text, at: m.at, mine, acked: true }],
        unread: this.chatVisible || mine ? this.snap.unread : this.snap.unread + 1,
      })
    } else if (change.kind === 'joined' && change.participant.id !== this.snap.me) {
      this.toast(`${change.participant.name} joined`)
    } else if (change.kind === 'left') {
      const who = this.snap.view?.participants.find((p) => p.id === change.id)
      if (who && who.id !== this.snap.me) this.toast(`${who.name} left`)
    }
  }

  private seedChat(view: RoomView): void {
    this.set({
      chat: view.chat.map((m) => ({
        id: m.id,
        name: m.name,
        text: m.text,
        at: m.at,
        mine: m.from === this.snap.me,
        acked: true,
      })),
    })
  }

  /** Chat said while we were away (after any reconnect) is only in the whole view the room sends. */
  private mergeChat(view: RoomView): void {
    const merged = mergeChat(this.snap.chat, view.chat, this.snap.me)
    if (merged.chat === this.snap.chat) return
    this.set({
      chat: merged.chat,
      unread: this.chatVisible ? this.snap.unread : this.snap.unread + merged.unseen,
    })
  }

  /** Pull every track others publish, drop what is gone. One request each way (batched). */
  private syncSubscriptions(): void {
    const view = this.snap.view
    if (!view || this.snap.phase !== 'in-meeting' || this.engine.callState.kind === 'idle') return
    const wanted = new Map<string, RemoteTrackRef>()
    for (const p of view.participants) {
      if (p.id === this.snap.me || !p.tracks) continue
      for (const t of p.tracks.tracks)
        wanted.set(trackKey({ sessionId: p.tracks.sessionId, trackName: t.name }), {
          sessionId: p.tracks.sessionId,
          trackName: t.name,
        })
    }
    const current = this.subscribed
    const add = [...wanted].filter(([k]) => !current.has(k)).map(([, r]) => r)
    const remove = [...current].filter(([k]) => !wanted.has(k)).map(([, r]) => r)
    for (const r of add) current.set(trackKey(r), r)
    for (const r of remove) current.delete(trackKey(r))
    if (remove.length > 0)
      void this.engine.unsubscribe(remove).catch((e: unknown) => this.toast(AppError.from(e).message))
    if (add.length > 0)
      void this.engine.subscribe(add, 'h').catch((e: unknown) => this.toast(AppError.from(e).message))
  }
  private readonly subscribed = new Map<string, RemoteTrackRef>()

  private async announce(): Promise<void> {
    if (!this.sessionId) return
    const tracks: TrackInfo[] = this.publications.map((p) => ({
      name: p.trackName,
      kind: p.kind === 'mic' ? 'audio' : 'video',
      source: p.kind,
      muted: p.kind === 'mic' ? !this.snap.micOn : p.kind === 'camera' ? !this.snap.cameraOn : false,
    }))
    await this.api.room
      .publishTracks({ directory: { sessionId: this.sessionId, tracks } })
      .catch(() => undefined)
  }

  private onStats(byKey: ReadonlyMap<string, TrackStats>): void {
    const levels = new Map<string, number>()
    for (const p of this.snap.view?.participants ?? []) {
      const mic = p.tracks?.tracks.find((t) => t.source === 'mic')
      if (!p.tracks || !mic) continue
      const s = byKey.get(trackKey({ sessionId: p.tracks.sessionId, trackName: mic.name }))
      if (s?.audioLevel != null && !mic.muted) levels.set(p.id, s.audioLevel)
    }
    this.speaker = nextSpeaker(this.speaker, levels, performance.now())
    this.set({ stats: byKey, speakerId: this.speaker.current })
  }

  private toast(text: string): void {
    const id = ++this.toastId
    this.set({ toasts: [...this.snap.toasts, { id, text }].slice(-4) })
    setTimeout(() => this.set({ toasts: this.snap.toasts.filter((t) => t.id !== id) }), 5000)
  }

  private stopLocal(): void {
    this.mic?.stop()
    this.camera?.stop()
    this.screen?.stop()
    this.set({ localCamera: null, localScreen: null, localMic: null })
  }

  dispose(): void {
    clearTimeout(this.layerTimer)
    for (const d of this.disposers.splice(0)) d()
  }

  private set(patch: Partial<MeetingSnapshot>): void {
    this.snap = { ...this.snap, ...patch }
    for (const l of this.listeners) l()
  }
}

/** Helpers for the view layer. */
export function participantTracks(p: Participant): {
  camera?: TrackInfo
  mic?: TrackInfo
  screen?: TrackInfo
} {
  const find = (s: TrackInfo['source']) => p.tracks?.tracks.find((t) => t.source === s)
  const camera = find('camera')
  const mic = find('mic')
  const screen = find('screen')
  return { ...(camera ? { camera } : {}), ...(mic ? { mic } : {}), ...(screen ? { screen } : {}) }
}
