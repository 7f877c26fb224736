import { readFileSync } from 'node:fs'
import { WebSocket } from 'ws'
import type { RTCPeerConnection } from 'werift'
import { PING_FRAME } from '../shared/room/protocol'
import { clientPeer, replay, type Capture } from './sfuLib'

/**
 * Cheap remote participants for bench/meetingScale.bench.ts, run as their own process (fork): each one is a werift
 * PeerConnection that publishes replayed media (no encoding cost): VP8 packets of a camera and Opus packets of a
 * microphone, prepared by the bench
 * through the Calls API of the local SFU, and a room member (the hub's WebSocket) that announces those tracks in
 * the room's directory, as the app does. The parent sends `{ sfuUrl, sfuToken, hubUrl, room, participants,
 * capturePath }`, gets `ready` once everyone is in, and later sends `stop`.
 */

interface Config {
  readonly sfuUrl: string
  readonly sfuToken: string
  readonly hubUrl: string
  readonly room: string
  readonly participants: number
  readonly capturePath: string
}

interface Publisher {
  readonly sessionId: string
  readonly pc: RTCPeerConnection
  readonly ws: WebSocket
  readonly stops: (() => void)[]
}

async function api(
  cfg: Config,
  method: string,
  path: string,
  body?: unknown,
): Promise<Record<string, unknown>> {
  const res = await fetch(`${cfg.sfuUrl}/${path}`, {
    method,
    headers: { authorization: `Bearer ${cfg.sfuToken}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })
  const json = (await res.json()) as Record<string, unknown>
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`)
  return json
}

let seq = 0

async function start(
  cfg: Config,
  capture: Capture & { readonly audioDurationMs?: number },
  index: number,
): Promise<Publisher> {
  const { sessionId } = (await api(cfg, 'POST', 'sessions/new')) as { sessionId: string }
  const pc = clientPeer()
  const audio = pc.addTransceiver('audio', { direction: 'sendonly' })
  const video = pc.addTransceiver('video', { direction: 'sendonly' })
  await pc.setLocalDescription(await pc.createOffer())
  const reply = (await api(cfg, 'POST', `sessions/${sessionId}/tracks/new`, {
    sessionDescription: { type: 'offer', sdp: pc.localDescription!.sdp },
    tracks: [
      { location: 'local', mid: audio.mid, trackName: 'mic' },
      { location: 'local', mid: video.mid, trackName: 'camera' },
    ],
  })) as { sessionDescription: { type: 'answer'; sdp: string } }
  await pc.setRemoteDescription(reply.sessionDescription)
  await new Promise<void>((done) => {
    if (pc.connectionState === 'connected') return done()
    pc.connectionStateChange.subscribe((s) => {
      if (s === 'connected') done()
    })
  })
  const stops = [
    replay(video, capture.video, capture.durationMs, 90_000),
    replay(audio, capture.audio, capture.audioDurationMs ?? capture.durationMs, 48_000),
  ]
  const ws = new WebSocket(
    `${cfg.hubUrl.replace(/^http/, 'ws')}/rooms/${encodeURIComponent(cfg.room)}/socket`,
  )
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve())
    ws.once('error', reject)
  })
  const welcomed = new Promise<void>((resolve, reject) => {
    ws.on('message', (data) => {
      const frame = JSON.parse((data as Buffer).toString()) as { type?: string; id?: string }
      if (frame.type === 'welcome') resolve()
      else if (frame.type === 'error' && frame.id?.startsWith('join'))
        reject(new Error(JSON.stringify(frame)))
    })
  })
  ws.send(JSON.stringify({ v: 1, type: 'join', id: `join${++seq}`, token: '', name: `Pub ${index}` }))
  await welcomed
  // The microphone is announced muted: a replayed beep would move the active speaker around the layout.
  ws.send(
    JSON.stringify({
      v: 1,
      type: 'tracks',
      id: `t${++seq}`,
      directory: {
        sessionId,
        tracks: [
          { name: 'camera', kind: 'video', source: 'camera', muted: false },
          { name: 'mic', kind: 'audio', source: 'mic', muted: true },
        ],
      },
    }),
  )
  const beat = setInterval(() => ws.readyState === ws.OPEN && ws.send(PING_FRAME), 5000)
  stops.push(() => clearInterval(beat))
  return { sessionId, pc, ws, stops }
}

process.once('message', (raw) => {
  const cfg = raw as Config
  const capture = JSON.parse(readFileSync(cfg.capturePath, 'utf8')) as Capture & {
    readonly audioDurationMs?: number
  }
  void (async () => {
    const all: Publisher[] = []
    for (let i = 0; i < cfg.participants; i++) all.push(await start(cfg, capture, i))
    process.send?.({ type: 'ready' })
    process.once('message', () => {
      void (async () => {
        for (const p of all) {
          for (const stop of p.stops) stop()
          p.ws.send(JSON.stringify({ v: 1, type: 'leave', id: `l${++seq}` }))
        }
        await Promise.all(
          all.map((p) => api(cfg, 'DELETE', `sessions/${p.sessionId}`).catch(() => undefined)),
        )
        await Promise.all(all.map((p) => p.pc.close()))
        for (const p of all) p.ws.close()
        process.exit(0)
      })()
    })
  })().catch((error: unknown) => {
    process.send?.({ type: 'error', message: String(error) })
    process.exit(1)
  })
})
