import { readFileSync } from 'node:fs'
import { WebSocket } from 'ws'
import type { RTCPeerConnection } from 'werift'
import { PING_FRAME } from '../shared/room/protocol'
import { callsApi, publishReplay, type Capture } from './sfuLib'

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

const sfuOf = (cfg: Config) => ({ url: cfg.sfuUrl, token: cfg.sfuToken })

let seq = 0

async function start(
  cfg: Config,
  capture: Capture & { readonly audioDurationMs?: number },
  index: number,
): Promise<Publisher> {
  const { sessionId, pc, stops } = await publishReplay(sfuOf(cfg), capture, {
    audio: 'mic',
    video: 'camera',
  })
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
          all.map((p) => callsApi(sfuOf(cfg), 'DELETE', `sessions/${p.sessionId}`).catch(() => undefined)),
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
