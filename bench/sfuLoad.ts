import { readFileSync } from 'node:fs'
import type { RTCPeerConnection } from 'werift'
import { callsApi, publishReplay, type Capture } from './sfuLib'

/**
 * A synthetic meeting for bench/sfu.bench.ts, run as its own process: N werift participants, each publishing a
 * replayed recording of a real Chromium camera and microphone (no encoding cost) and pulling everyone else,
 * all on one PeerConnection per participant, through the Calls API. Started with fork(); the parent sends
 * `{ baseUrl, token, participants, capturePath }` and later `stop`.
 */

interface Config {
  readonly baseUrl: string
  readonly token: string
  readonly participants: number
  readonly capturePath: string
}

interface Participant {
  readonly sessionId: string
  readonly pc: RTCPeerConnection
  readonly stops: (() => void)[]
}

const sfuOf = (cfg: Config) => ({ url: cfg.baseUrl, token: cfg.token })

function join(cfg: Config, capture: Capture): Promise<Participant> {
  return publishReplay(sfuOf(cfg), capture, { audio: 'audio', video: 'video' })
}

async function pullOthers(cfg: Config, me: Participant, all: readonly Participant[]): Promise<void> {
  const tracks = all
    .filter((p) => p !== me)
    .flatMap((p) => [
      { location: 'remote', sessionId: p.sessionId, trackName: 'audio' },
      { location: 'remote', sessionId: p.sessionId, trackName: 'video' },
    ])
  const reply = (await callsApi(sfuOf(cfg), 'POST', `sessions/${me.sessionId}/tracks/new`, { tracks })) as {
    sessionDescription: { type: 'offer'; sdp: string }
  }
  await me.pc.setRemoteDescription(reply.sessionDescription)
  await me.pc.setLocalDescription(await me.pc.createAnswer())
  await callsApi(sfuOf(cfg), 'PUT', `sessions/${me.sessionId}/renegotiate`, {
    sessionDescription: { type: 'answer', sdp: me.pc.localDescription!.sdp },
  })
}

process.once('message', (raw) => {
  const cfg = raw as Config
  const capture = JSON.parse(readFileSync(cfg.capturePath, 'utf8')) as Capture
  void (async () => {
    const all: Participant[] = []
    for (let i = 0; i < cfg.participants; i++) all.push(await join(cfg, capture))
    await Promise.all(all.map((p) => pullOthers(cfg, p, all)))
    process.send?.({ type: 'ready' })
    process.once('message', () => {
      void (async () => {
        for (const p of all) for (const stop of p.stops) stop()
        // Leave like the app does: end the sessions, then close (a werift client sends no DTLS close alert).
        await Promise.all(
          all.map((p) => callsApi(sfuOf(cfg), 'DELETE', `sessions/${p.sessionId}`).catch(() => undefined)),
        )
        await Promise.all(all.map((p) => p.pc.close()))
        process.exit(0)
      })()
    })
  })().catch((error: unknown) => {
    process.send?.({ type: 'error', message: String(error) })
    process.exit(1)
  })
})
