import { fork } from 'node:child_process'
import { closeSync, existsSync, openSync, readFileSync, writeSync } from 'node:fs'
import { resolve } from 'node:path'
import {
  RTCPeerConnection,
  RtpHeader,
  RtpPacket,
  type MediaStreamTrack,
  type RTCRtpTransceiver,
} from 'werift'
import { BackendMessage } from '../server/sfu/processProtocol'

/** Helpers for bench/sfu.bench.ts: the SFU as its own process, CPU from /proc, a y4m source, RTP capture/replay. */

const TICKS_PER_SECOND = 100 // USER_HZ on Linux

export interface SfuProcess {
  readonly pid: number
  readonly baseUrl: string
  readonly token: string
  readonly origin: string
  stats(): Promise<{
    packetsOut: number
    packetsIn: number
    sessions: number
    subscriptions: number
    heapUsed: number
  }>
  /** Full GC in the SFU, then its heap size (bytes). */
  gc(): Promise<number>
  stop(): Promise<void>
}

/** The SFU exactly as the app runs it (server/sfu/processEntry.ts), in its own process so its CPU is its own. */
export async function startSfuProcess(corsOrigins: readonly string[]): Promise<SfuProcess> {
  const child = fork(resolve('server/sfu/processEntry.ts'), [], {
    execArgv: ['--import', 'tsx', '--expose-gc'],
    env: { ...process.env, CONVENE_SFU_CORS_ORIGINS: corsOrigins.join(',') },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  })
  const ready = await new Promise<Extract<BackendMessage, { type: 'ready' }>>((resolveReady, reject) => {
    child.on('message', (raw) => {
      const m = BackendMessage.safeParse(raw)
      if (m.success && m.data.type === 'ready') resolveReady(m.data)
    })
    child.once('exit', (code) => reject(new Error(`SFU exited with ${code}`)))
  })
  const origin = new URL(ready.baseUrl).origin
  const call = async (method: string, path: string): Promise<Record<string, number>> => {
    const res = await fetch(`${origin}${path}`, {
      method,
      headers: { authorization: `Bearer ${ready.token}` },
    })
    return (await res.json()) as Record<string, number>
  }
  return {
    pid: child.pid!,
    baseUrl: ready.baseUrl,
    token: ready.token,
    origin,
    stats: async () => {
      const s = await call('GET', '/debug/stats')
      return {
        packetsOut: s['packetsOut']!,
        packetsIn: s['packetsIn']!,
        sessions: s['sessions']!,
        subscriptions: s['subscriptions']!,
        heapUsed: s['heapUsed']!,
      }
    },
    gc: async () => (await call('POST', '/debug/gc'))['heapUsed']!,
    stop: () =>
      new Promise<void>((done) => {
        child.once('exit', () => done())
        child.send({ type: 'shutdown' })
      }),
  }
}

/** CPU seconds (user + system) a process has used so far. */
export function cpuSeconds(pid: number): number {
  const raw = readFileSync(`/proc/${pid}/stat`, 'utf8')
  const fields = raw.slice(raw.lastIndexOf(')') + 2).split(' ')
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND
}

/** Busy and total jiffies of the whole machine. */
export function machineTicks(): { busy: number; total: number } {
  const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.split(/\s+/).slice(1).map(Number)
  const idle = (cpu[3] ?? 0) + (cpu[4] ?? 0)
  const total = cpu.reduce((a, b) => a + b, 0)
  return { busy: total - idle, total }
}

export interface Window {
  readonly seconds: number
  /** % of one core per watched pid. */
  readonly cpu: number[]
  /** % of the whole machine. */
  readonly machine: number
}

/** Measure CPU of `pids` and the machine over `ms`. */
export async function measure(pids: readonly number[], ms: number): Promise<Window> {
  const before = pids.map(cpuSeconds)
  const m0 = machineTicks()
  const t0 = performance.now()
  await new Promise((r) => setTimeout(r, ms))
  const seconds = (performance.now() - t0) / 1000
  const m1 = machineTicks()
  return {
    seconds,
    cpu: pids.map((pid, i) => ((cpuSeconds(pid) - before[i]!) / seconds) * 100),
    machine: ((m1.busy - m0.busy) / (m1.total - m0.total)) * 100,
  }
}

/**
 * A realistic camera for Chromium's --use-file-for-fake-video-capture: 640x480 at 30 fps, a scrolling blocky
 * texture with a noisy window (the prototype's "content B", about 1.7 Mbps of VP8). Generated once.
 */
export function ensureY4m(path: string, seconds = 5): string {
  if (existsSync(path)) return path
  const w = 640
  const h = 480
  const fps = 30
  const fd = openSync(path, 'w')
  writeSync(fd, `YUV4MPEG2 W${w} H${h} F${fps}:1 Ip A1:1 C420jpeg\n`)
  const texture = new Uint8Array(w * h)
  let seed = 7
  const rand = (): number => (seed = (seed * 1103515245 + 12345) >>> 0) >>> 16
  for (let by = 0; by < h; by += 16) {
    for (let bx = 0; bx < w; bx += 16) {
      const v = 40 + (rand() % 176)
      for (let y = by; y < by + 16; y++) texture.fill(v, y * w + bx, y * w + bx + 16)
    }
  }
  const frame = Buffer.alloc((w * h * 3) / 2)
  for (let n = 0; n < seconds * fps; n++) {
    const shift = (n * 2) % w
    for (let y = 0; y < h; y++) {
      frame.set(texture.subarray(y * w + shift, y * w + w), y * w)
      frame.set(texture.subarray(y * w, y * w + shift), y * w + w - shift)
    }
    // The noisy window: 160x120 of fresh noise every frame.
    for (let y = 180; y < 300; y++) for (let x = 240; x < 400; x++) frame[y * w + x] = 64 + (rand() % 128)
    for (let i = w * h; i < frame.length; i++) frame[i] = 128 + ((i >> 6) % 16) - 8
    writeSync(fd, 'FRAME\n')
    writeSync(fd, frame)
  }
  closeSync(fd)
  return path
}

/** werift as a full-ICE client of the SFU, bound to 127.0.0.1 only (no STUN: gather returns at once). */
export function clientPeer(): RTCPeerConnection {
  return new RTCPeerConnection({
    iceServers: [],
    iceUseIpv4: false,
    iceUseIpv6: false,
    iceAdditionalHostAddresses: ['127.0.0.1'],
    iceInterfaceAddresses: { udp4: '127.0.0.1' },
    iceStunGatherTimeout: 0,
    bundlePolicy: 'max-bundle',
  })
}

export interface CapturedPacket {
  readonly t: number
  readonly marker: boolean
  readonly timestamp: number
  readonly payload: string
}

export interface Capture {
  readonly durationMs: number
  readonly video: CapturedPacket[]
  readonly audio: CapturedPacket[]
}

/** Record what the SFU forwards of two tracks for `ms`, starting at the first video packet (a keyframe start). */
export async function recordTracks(
  video: MediaStreamTrack,
  audio: MediaStreamTrack,
  ms: number,
): Promise<Capture> {
  const out: Capture = { durationMs: ms, video: [], audio: [] }
  let start: number | undefined
  const take = (list: CapturedPacket[]) => (p: RtpPacket) => {
    if (start === undefined) return
    const t = performance.now() - start
    if (t <= ms) {
      list.push({
        t,
        marker: p.header.marker,
        timestamp: p.header.timestamp,
        payload: p.payload.toString('base64'),
      })
    }
  }
  const v = video.onReceiveRtp.subscribe((p) => {
    start ??= performance.now()
    take(out.video)(p)
  })
  const a = audio.onReceiveRtp.subscribe(take(out.audio))
  await new Promise<void>((done) => {
    const check = setInterval(() => {
      if (start !== undefined && performance.now() - start > ms) {
        clearInterval(check)
        done()
      }
    }, 50)
  })
  v.unSubscribe()
  a.unSubscribe()
  return out
}

/**
 * Sends a recorded stream on a transceiver in a loop, as a live encoder would: continuous sequence numbers,
 * timestamps advancing by the capture length each loop. No encoding cost, so a single process can publish for
 * a whole meeting and the SFU is the only thing measured.
 */
export function replay(
  transceiver: RTCRtpTransceiver,
  packets: readonly CapturedPacket[],
  durationMs: number,
  clockRate: number,
): () => void {
  const loopTicks = Math.round((durationMs * clockRate) / 1000)
  const t0 = packets[0]?.timestamp ?? 0
  const payloads = packets.map((p) => Buffer.from(p.payload, 'base64'))
  let seq = Math.floor(Math.random() * 60_000)
  let base = Math.floor(Math.random() * 2 ** 31)
  // Start at a random point of the loop so that publishers do not send their keyframes in step.
  let i = Math.floor(Math.random() * packets.length)
  let loopStart = performance.now() - (packets[i]?.t ?? 0)
  const timer = setInterval(() => {
    const now = performance.now()
    while (packets.length > 0) {
      if (i === packets.length) {
        i = 0
        loopStart += durationMs
        base = (base + loopTicks) >>> 0
      }
      const p = packets[i]!
      if (loopStart + p.t > now) break
      const header = new RtpHeader({
        payloadType: 96,
        marker: p.marker,
        sequenceNumber: seq,
        timestamp: (base + p.timestamp - t0) >>> 0,
        ssrc: 0,
        extensions: [],
      })
      seq = (seq + 1) & 0xffff
      transceiver.sender.sendRtp(new RtpPacket(header, payloads[i]!)).catch(() => undefined)
      i++
    }
  }, 5)
  return () => clearInterval(timer)
}

/** One Calls API request against the local SFU, for the synthetic participants. Throws on a non-2xx answer. */
export async function callsApi(
  sfu: { readonly url: string; readonly token: string },
  method: string,
  path: string,
  body?: unknown,
): Promise<Record<string, unknown>> {
  const res = await fetch(`${sfu.url}/${path}`, {
    method,
    headers: { authorization: `Bearer ${sfu.token}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })
  const json = (await res.json()) as Record<string, unknown>
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`)
  return json
}

/**
 * A werift participant that publishes a replayed capture (audio + video, no encoding cost) as `names`, on its own
 * Calls session, once connected. `stops` ends the replay.
 */
export async function publishReplay(
  sfu: { readonly url: string; readonly token: string },
  capture: Capture & { readonly audioDurationMs?: number },
  names: { readonly audio: string; readonly video: string },
): Promise<{ sessionId: string; pc: RTCPeerConnection; stops: (() => void)[] }> {
  const { sessionId } = (await callsApi(sfu, 'POST', 'sessions/new')) as { sessionId: string }
  const pc = clientPeer()
  const audio = pc.addTransceiver('audio', { direction: 'sendonly' })
  const video = pc.addTransceiver('video', { direction: 'sendonly' })
  await pc.setLocalDescription(await pc.createOffer())
  const reply = (await callsApi(sfu, 'POST', `sessions/${sessionId}/tracks/new`, {
    sessionDescription: { type: 'offer', sdp: pc.localDescription!.sdp },
    tracks: [
      { location: 'local', mid: audio.mid, trackName: names.audio },
      { location: 'local', mid: video.mid, trackName: names.video },
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
  return { sessionId, pc, stops }
}
