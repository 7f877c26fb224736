import { afterEach, describe, expect, it, vi } from 'vitest'
import type { ReconnectPolicy } from '../../../shared/call/callMachine'
import { AppError } from '../../../shared/errors/AppError'
import { MeetingEngine } from './MeetingEngine'
import type { CallsPort, RemoteTrackRequest, SessionDescription, TracksReply } from './types'

/*
 * The engine against a scripted media server that restarts: every session it knew is gone (410 on renegotiate),
 * and pulls of tracks from dead sessions fail item by item. A fake PeerConnection stands in for the browser's:
 * mids are handed out on setLocalDescription, and an offer from the server (`mids:a,b`) adds receivers.
 */

class FakeTransceiver {
  mid: string | null = null
  direction: string
  currentDirection: string | null = null
  readonly sender = {
    replaceTrack: async () => undefined,
    getParameters: () => ({}),
    setParameters: async () => undefined,
  }
  readonly receiver: { track: MediaStreamTrack }
  constructor(direction: string, id: string) {
    this.direction = direction
    this.receiver = { track: { id } as unknown as MediaStreamTrack }
  }
  stop(): void {
    this.direction = 'stopped'
  }
}

class FakePeer {
  connectionState: RTCPeerConnectionState = 'new'
  localDescription: SessionDescription | null = null
  closed = false
  private readonly transceivers: FakeTransceiver[] = []
  private readonly listeners: Array<() => void> = []
  private nextMid = 0

  addTransceiver(_track: unknown, init: { direction: string }): FakeTransceiver {
    const t = new FakeTransceiver(init.direction, `local-${this.transceivers.length}`)
    this.transceivers.push(t)
    return t
  }
  getTransceivers(): FakeTransceiver[] {
    return this.transceivers
  }
  async createOffer(): Promise<SessionDescription> {
    return { type: 'offer', sdp: 'offer' }
  }
  async createAnswer(): Promise<SessionDescription> {
    return { type: 'answer', sdp: 'answer' }
  }
  async setLocalDescription(desc: SessionDescription): Promise<void> {
    for (const t of this.transceivers) if (t.mid === null) t.mid = String(this.nextMid++)
    this.localDescription = desc
  }
  async setRemoteDescription(desc: SessionDescription): Promise<void> {
    const mids =
      /^mids:(.*)$/
        .exec(desc.sdp)?.[1]
        ?.split(',')
        .filter((m) => m !== '') ?? []
    for (const mid of mids) {
      if (this.transceivers.some((t) => t.mid === mid)) continue
      const t = new FakeTransceiver('recvonly', `remote-${mid}`)
      t.mid = mid
      this.transceivers.push(t)
      this.nextMid = Math.max(this.nextMid, Number(mid) + 1)
    }
  }
  addEventListener(_type: string, listener: () => void): void {
    this.listeners.push(listener)
  }
  async getStats(): Promise<Map<string, unknown>> {
    return new Map()
  }
  close(): void {
    this.closed = true
  }
  /** The browser reports a new connection state. */
  become(state: RTCPeerConnectionState): void {
    this.connectionState = state
    for (const l of this.listeners) l()
  }
}

/** A media server that knows sessions and published tracks until `restart()` forgets them all. */
class ScriptedSfu implements CallsPort {
  readonly sessions = new Set<string>()
  readonly published = new Set<string>()
  /** Every call as `operation:sessionId`. */
  readonly calls: string[] = []
  /** Every remote pull asked for, as `sessionId/trackName`. */
  readonly pulled: string[] = []
  private count = 0
  private mid = 100

  restart(): void {
    this.sessions.clear()
    this.published.clear()
    // A fresh server numbers m-lines from the start again, so a new connection reuses the old one's mids.
    this.mid = 100
  }

  private alive(sessionId: string): void {
    if (!this.sessions.has(sessionId))
      throw new AppError({ code: 'session_gone', message: `Session ${sessionId} is gone.`, retryable: false })
  }

  async newSession(): Promise<{ sessionId: string }> {
    this.calls.push('newSession')
    const sessionId = `s${++this.count}`
    this.sessions.add(sessionId)
    return { sessionId }
  }

  async newTracks(request: Parameters<CallsPort['newTracks']>[0]): Promise<TracksReply> {
    this.calls.push(`newTracks:${request.sessionId}`)
    this.alive(request.sessionId)
    const local = request.tracks.filter((t) => t.location === 'local')
    if (local.length > 0) {
      for (const t of local) this.published.add(`${request.sessionId}/${t.trackName}`)
      return {
        sessionDescription: { type: 'answer', sdp: 'answer' },
        tracks: local.map((t) => ({ trackName: t.trackName, mid: t.mid })),
      }
    }
    const remote = request.tracks as readonly RemoteTrackRequest[]
    for (const t of remote) this.pulled.push(`${t.sessionId}/${t.trackName}`)
    const found = remote.filter((t) => this.published.has(`${t.sessionId}/${t.trackName}`))
    const missing = remote.filter((t) => !found.includes(t))
    if (found.length === 0)
      throw new AppError({ code: 'track_error', message: 'Every track failed.', retryable: true })
    const mids = found.map(() => String(this.mid++))
    return {
      requiresImmediateRenegotiation: true,
      sessionDescription: { type: 'offer', sdp: `mids:${mids.join(',')}` },
      tracks: [
        ...found.map((t, i) => ({ trackName: t.trackName, sessionId: t.sessionId, mid: mids[i]! })),
        ...missing.map((t) => ({
          trackName: t.trackName,
          sessionId: t.sessionId,
          errorCode: 'not_found_track_error',
          errorDescription: 'not found',
        })),
      ],
    }
  }

  async renegotiate(request: Parameters<CallsPort['renegotiate']>[0]) {
    this.calls.push(`renegotiate:${request.sessionId}`)
    this.alive(request.sessionId)
    return request.sessionDescription.type === 'offer'
      ? { sessionDescription: { type: 'answer' as const, sdp: 'answer' } }
      : {}
  }

  async closeTracks(request: Parameters<CallsPort['closeTracks']>[0]) {
    this.calls.push(`closeTracks:${request.sessionId}`)
    this.alive(request.sessionId)
    return {}
  }

  async updateTracks(request: Parameters<CallsPort['updateTracks']>[0]): Promise<TracksReply> {
    this.calls.push(`updateTracks:${request.sessionId}`)
    this.alive(request.sessionId)
    return { tracks: [] }
  }

  async iceServers(): Promise<RTCIceServer[]> {
    return []
  }
}

const immediate: ReconnectPolicy = {
  nextDelayMs: (attempt, phase) => (phase === 'rebuild' && attempt >= 5 ? null : 0),
}

const engines: MeetingEngine[] = []
afterEach(() => {
  for (const e of engines.splice(0)) e.leave()
})

function setup() {
  const sfu = new ScriptedSfu()
  const peers: FakePeer[] = []
  const engine = new MeetingEngine(sfu, {
    policy: immediate,
    statsIntervalMs: 60_000,
    createPeerConnection: () => {
      const pc = new FakePeer()
      peers.push(pc)
      return pc as unknown as RTCPeerConnection
    },
  })
  engines.push(engine)
  const errors: string[] = []
  const sessions: Array<{ id: string; tracks: string[] }> = []
  const gone: string[] = []
  const remote: string[] = []
  engine.events.on('error', (e) => errors.push(`${e.code}: ${e.message}`))
  engine.events.on('session', (id, pubs) => sessions.push({ id, tracks: pubs.map((p) => p.kind) }))
  engine.events.on('remoteTrackGone', (key) => gone.push(key))
  engine.events.on('remoteTrack', (key) => remote.push(key))
  const peer = () => peers.at(-1)!
  return { sfu, engine, peers, peer, errors, sessions, gone, remote }
}

const camera = { kind: 'video', contentHint: '' } as unknown as MediaStreamTrack

describe('MeetingEngine when the media server restarts', () => {
  it('skips the second ICE restart, rebuilds once, republishes, and drops the pull of a dead session', async () => {
    const t = setup()
    await t.engine.join()
    await t.engine.publish([{ track: camera, kind: 'camera' }])
    t.peer().become('connected')
    // Someone else's camera, published in the same SFU.
    t.sfu.published.add('r1/camera-1')
    await t.engine.subscribe([{ sessionId: 'r1', trackName: 'camera-1' }])
    expect(t.remote).toEqual(['r1/camera-1'])

    t.sfu.restart()
    const callsBefore = t.sfu.calls.length
    const before = t.peer()
    before.become('failed')
    await vi.waitFor(() => expect(t.engine.callState.kind).toBe('reconnecting'))
    await vi.waitFor(() => expect(t.peers.length).toBe(2))
    await vi.waitFor(() => expect(t.sessions.at(-1)?.id).toBe('s2'))
    // One ICE restart answered 410, then straight to a fresh session: no second renegotiate on the dead one.
    expect(t.sfu.calls.slice(callsBefore).filter((c) => c === 'renegotiate:s1')).toHaveLength(1)
    expect(before.closed).toBe(true)
    expect(t.sessions.at(-1)).toEqual({ id: 's2', tracks: ['camera'] })
    await vi.waitFor(() => expect(t.sfu.pulled.filter((k) => k === 'r1/camera-1')).toHaveLength(2))
    t.peer().become('connected')
    await vi.waitFor(() => expect(t.engine.callState.kind).toBe('connected'))
    // The dead pull is forgotten (no error shown for it) and not tried again by the next rebuild.
    expect(t.gone).toContain('r1/camera-1')
    expect(t.errors.filter((e) => e.includes('camera-1'))).toEqual([])
    t.sfu.restart()
    t.peer().become('failed')
    await vi.waitFor(() => expect(t.sessions.at(-1)?.id).toBe('s3'))
    t.peer().become('connected')
    await vi.waitFor(() => expect(t.engine.callState.kind).toBe('connected'))
    expect(t.sfu.pulled.filter((k) => k === 'r1/camera-1')).toHaveLength(2)

    // The publisher's new session, as the room announces it: pulled exactly once.
    t.sfu.published.add('r2/camera-2')
    await t.engine.subscribe([{ sessionId: 'r2', trackName: 'camera-2' }])
    expect(t.sfu.pulled.filter((k) => k === 'r2/camera-2')).toHaveLength(1)
    expect(t.remote.at(-1)).toBe('r2/camera-2')
  })

  it('a 410 on any call while connected rebuilds at once, without waiting for ICE to notice', async () => {
    const t = setup()
    await t.engine.join()
    await t.engine.publish([{ track: camera, kind: 'camera' }])
    t.peer().become('connected')
    t.sfu.restart()
    const callsBefore = t.sfu.calls.length
    t.sfu.published.add('r1/cam')
    await expect(t.engine.subscribe([{ sessionId: 'r1', trackName: 'cam' }])).rejects.toMatchObject({
      code: 'session_gone',
    })
    await vi.waitFor(() => expect(t.sessions.at(-1)?.id).toBe('s2'))
    // Nothing but the one failed pull went to the dead session (no ICE restart on it).
    expect(t.sfu.calls.slice(callsBefore).filter((c) => c.endsWith(':s1'))).toEqual(['newTracks:s1'])
    // The wanted pull survives the rebuild (its publisher is alive): pulled again on the new session.
    await vi.waitFor(() => expect(t.remote.filter((k) => k === 'r1/cam')).toHaveLength(1))
  })

  it.each([
    ['while we are still reconnecting', 'reconnecting'],
    ['in the middle of our rebuild', 'rebuilding'],
  ] as const)(
    'news of a publisher’s new session %s does not close the new connection’s tracks',
    async (_label, when) => {
      const t = setup()
      await t.engine.join()
      t.peer().become('connected')
      t.sfu.published.add('r1/cam')
      await t.engine.subscribe([{ sessionId: 'r1', trackName: 'cam' }])
      t.sfu.restart()
      // The publisher rebuilt first: the room says r1 is gone and r2 is new.
      t.sfu.published.add('r2/cam')
      const pending: Promise<void>[] = []
      const news = () => {
        pending.push(t.engine.unsubscribe([{ sessionId: 'r1', trackName: 'cam' }]))
        pending.push(t.engine.subscribe([{ sessionId: 'r2', trackName: 'cam' }]))
      }
      // After our new connection exists and before it pulls: the window the room's news most often lands in.
      if (when === 'rebuilding') t.engine.events.on('session', (id) => id === 's2' && news())
      t.peer().become('failed')
      await vi.waitFor(() => expect(t.engine.callState.kind).toBe('reconnecting'))
      if (when === 'reconnecting') news()
      await vi.waitFor(() => expect(t.sessions.at(-1)?.id).toBe('s2'))
      t.peer().become('connected')
      await vi.waitFor(() => expect(pending).toHaveLength(2))
      await Promise.all(pending)
      // r2 got the mid r1 had on the old connection; it must still be receiving.
      const r2 = t
        .peer()
        .getTransceivers()
        .find((x) => x.receiver.track.id === 'remote-100')
      expect(r2?.direction).toBe('recvonly')
      expect(t.sfu.calls.filter((c) => c.startsWith('closeTracks'))).toEqual([])
      expect(t.remote.at(-1)).toBe('r2/cam')
    },
  )

  it('a subscribe that waited through a rebuild is not pulled twice', async () => {
    const t = setup()
    await t.engine.join()
    await t.engine.publish([{ track: camera, kind: 'camera' }])
    t.peer().become('connected')
    t.sfu.restart()
    t.peer().become('failed')
    await vi.waitFor(() => expect(t.engine.callState.kind).toBe('reconnecting'))
    t.sfu.published.add('r9/cam')
    const waiting = t.engine.subscribe([{ sessionId: 'r9', trackName: 'cam' }])
    await vi.waitFor(() => expect(t.sessions.at(-1)?.id).toBe('s2'))
    t.peer().become('connected')
    await waiting
    expect(t.sfu.pulled.filter((k) => k === 'r9/cam')).toHaveLength(1)
    expect(t.remote.filter((k) => k === 'r9/cam')).toHaveLength(1)
  })
})
