import { execFileSync, fork, spawnSync, type ChildProcess } from 'node:child_process'
import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { setTimeout as sleep } from 'node:timers/promises'
import { chromium, type Browser, type Page } from '@playwright/test'
import { chromiumArgs } from '../playwright.config'
import type { ApiExchange } from '../shared/calls/ipc'
import { newRoomCode } from '../shared/util/roomCode'
import { connectHostRpc } from '../test/helpers/hostRpc'
import { joinMeeting } from '../test/helpers/meetingPage'
import { startHostProcess, type HostProcess } from '../test/helpers/webHostProcess'
import { gated, metric, report, round, type Metric } from './lib'
import { PROBE_SCRIPT, type StreamEntry } from './meetingProbe'
import {
  clientPeer,
  cpuSeconds,
  ensureY4m,
  machineTicks,
  recordTracks,
  type Capture,
  type CapturedPacket,
} from './sfuLib'

const INSIDE = 'CONVENE_MEETING_SCALE_BENCH_INSIDE'
const Y4M = '/tmp/convene-bench-640x480-30.y4m'
const CAPTURE = '/tmp/convene-bench-meeting-capture.json'
const CAPTURE_MS = 4000
const MEMORY_SIZES = [1, 4, 9]
const CPU_REMOTES = 3
const CPU_WINDOW_MS = 30_000
const SCRIPTS = ['globalThis.__name = (f) => f', PROBE_SCRIPT]

/**
 * Issue 7, a meeting's cost to the client, on the local backend in the network namespace. One measured Chromium
 * participant ("Mia", web mode, a 640x480 y4m camera and the fake microphone) meets N remote participants. The
 * remotes are cheap: werift peers in their own process (bench/meetingPublishers.ts) replaying the same y4m camera
 * (ffmpeg's VP8 at 640x480, 1.2 Mbps) and a 4 s recording of Mia's microphone, and announcing their tracks in the
 * room like the app does.
 * - G8, Calls API calls of Mia's session, from her host's API history (`diagnostics:getApiHistory`): the busiest
 *   1 s while joining a meeting of 9 remotes, and while pinning one of the 9 tiles and unpinning it (tiles resize,
 *   layers change). Goal: peak ≤ 10 calls/s.
 * - G9, Chromium memory with N = 1, 4, 9 remote tiles: PSS and RSS (/proc) of the renderer and GPU processes and
 *   the page's JS heap after a GC (CDP); the per-tile cost is the slope of a least-squares line. Goal ≤ 15 MB/tile.
 * - G13, CPU of a 4-person meeting (Mia + 3 remotes): CPU time of every Chromium process over 30 s, in % of one
 *   core. Goal ≤ 100 %.
 */
export async function run(): Promise<void> {
  if (process.env[INSIDE] === '1') {
    report('meeting-scale', await measureAll())
    return
  }
  const result = spawnSync(
    './scripts/netns.sh',
    [process.execPath, '--import', 'tsx', 'bench/run.ts', 'meetingScale'],
    { env: { ...process.env, [INSIDE]: '1' }, stdio: 'inherit' },
  )
  if (result.status !== 0)
    throw new Error(`the meeting scale bench failed inside the network namespace (${result.status})`)
}

interface Backend {
  readonly sfuUrl: string
  readonly sfuToken: string
  readonly hubUrl: string
}

async function measureAll(): Promise<Metric[]> {
  const y4m = ensureY4m(Y4M)
  const backend = await startHostProcess({ script: 'server/serve.ts' })
  const host = await startHostProcess({ args: backend.joinArgs })
  const flags = flagsOf(backend.joinArgs)
  const browser = await chromium.launch({
    executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium',
    args: [
      ...chromiumArgs,
      '--autoplay-policy=no-user-gesture-required',
      `--use-file-for-fake-video-capture=${y4m}`,
    ],
  })
  const metrics: Metric[] = []
  try {
    await captureMia(browser, host, flags, y4m)
    const memory: { n: number; m: Memory }[] = []
    for (const n of MEMORY_SIZES) {
      const meeting = await meetWith(browser, host, flags, n)
      try {
        memory.push({ n, m: await measureMemory(meeting.page) })
        if (n === 9) metrics.push(...(await apiCalls(meeting)))
      } finally {
        await meeting.end()
      }
    }
    metrics.push(...memoryMetrics(memory))
    const meeting = await meetWith(browser, host, flags, CPU_REMOTES)
    try {
      metrics.push(...(await cpuOfMeeting(meeting)))
    } finally {
      await meeting.end()
    }
  } finally {
    await browser.close()
    await Promise.all([host.stop(), backend.stop()])
  }
  return metrics
}

function flagsOf(args: readonly string[]): Backend {
  // `--flag value` or `--flag=value`, as the backend prints them.
  const value = (flag: string): string => {
    const joined = args.find((a) => a.startsWith(`${flag}=`))
    const v = joined ? joined.slice(flag.length + 1) : args.includes(flag) ? args[args.indexOf(flag) + 1] : ''
    if (!v) throw new Error(`the backend printed no ${flag}`)
    return v
  }
  return { sfuUrl: value('--sfu-url'), sfuToken: value('--sfu-token'), hubUrl: value('--hub-url') }
}

// ---- the remote participants' media: a recording of Mia's camera and microphone ----------------------------

async function captureMia(browser: Browser, host: HostProcess, b: Backend, y4m: string): Promise<void> {
  const mia = await joinMeeting(browser, host, 'Mia', newRoomCode(), { initScripts: SCRIPTS })
  const directory = await waitFor(async () => {
    const sent = await mia.evaluate(
      () => (globalThis as unknown as { __probe: { sent: { data: string }[] } }).__probe.sent,
    )
    for (const s of sent) {
      const d = (JSON.parse(s.data) as { payload: { directory: Directory | null } }).payload.directory
      if (d?.tracks.some((t) => t.source === 'camera')) return d
    }
    return undefined
  }, 'Mia announcing her camera')
  // Let the sender's bandwidth estimate ramp up so that the recording carries the full layer's bitrate.
  await sleep(8000)
  const camera = directory.tracks.find((t) => t.source === 'camera')!.name
  const mic = directory.tracks.find((t) => t.source === 'mic')!.name
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${b.sfuUrl}/${path}`, {
      method,
      headers: { authorization: `Bearer ${b.sfuToken}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    })
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`)
    return (await res.json()) as Record<string, unknown>
  }
  const pc = clientPeer()
  const { sessionId } = (await call('POST', 'sessions/new')) as { sessionId: string }
  const reply = (await call('POST', `sessions/${sessionId}/tracks/new`, {
    tracks: [
      {
        location: 'remote',
        sessionId: directory.sessionId,
        trackName: camera,
        simulcast: { preferredRid: 'f' },
      },
      { location: 'remote', sessionId: directory.sessionId, trackName: mic },
    ],
  })) as { sessionDescription: { type: 'offer'; sdp: string } }
  await pc.setRemoteDescription(reply.sessionDescription)
  await pc.setLocalDescription(await pc.createAnswer())
  await call('PUT', `sessions/${sessionId}/renegotiate`, {
    sessionDescription: { type: 'answer', sdp: pc.localDescription!.sdp },
  })
  const [video, audio] = pc.getTransceivers().map((t) => t.receiver.track)
  const capture = await recordTracks(video!, audio!, CAPTURE_MS)
  // Mia's camera goes out as simulcast, whose top layer Chromium leaves off at 640x480; the remotes' video is the
  // same y4m encoded once by ffmpeg at 640x480 instead, so every remote tile is a full 640x480 stream.
  const camera640 = vp8Packets(y4m)
  writeFileSync(CAPTURE, JSON.stringify({ ...camera640, audio: capture.audio, audioDurationMs: CAPTURE_MS }))
  const kbps =
    (camera640.video.reduce((n, p) => n + (p.payload.length * 3) / 4, 0) * 8) / camera640.durationMs
  console.log(
    `remotes' media: ${camera640.video.length} VP8 packets at 640x480 (${round(kbps)} kbps), ${capture.audio.length} Opus packets of Mia's microphone`,
  )
  await pc.close()
  await call('DELETE', `sessions/${sessionId}`)
  await leave(mia)
}

/**
 * The y4m camera as VP8 RTP payloads at 30 fps: ffmpeg (libvpx, realtime, 1.2 Mbps, a keyframe every second) to
 * IVF, each frame cut into packets of at most 1,100 bytes behind a VP8 payload descriptor with a 15-bit picture id
 * (RFC 7741). One loop of the file; it starts with a keyframe.
 */
function vp8Packets(y4m: string): Pick<Capture, 'durationMs' | 'video'> {
  const ivf = '/tmp/convene-bench-640x480.ivf'
  execFileSync('ffmpeg', [
    '-y',
    '-v',
    'error',
    '-i',
    y4m,
    '-c:v',
    'libvpx',
    '-deadline',
    'realtime',
    '-cpu-used',
    '8',
    '-b:v',
    '1200k',
    '-g',
    '30',
    '-lag-in-frames',
    '0',
    '-auto-alt-ref',
    '0',
    '-f',
    'ivf',
    ivf,
  ])
  const data = readFileSync(ivf)
  const video: CapturedPacket[] = []
  let offset = data.readUInt16LE(6)
  let frame = 0
  while (offset + 12 <= data.length) {
    const size = data.readUInt32LE(offset)
    const body = data.subarray(offset + 12, offset + 12 + size)
    offset += 12 + size
    const pictureId = frame & 0x7fff
    for (let at = 0; at < body.length; at += 1100) {
      const chunk = body.subarray(at, Math.min(body.length, at + 1100))
      const descriptor = Buffer.from([
        0x80 | (at === 0 ? 0x10 : 0),
        0x80,
        0x80 | (pictureId >> 8),
        pictureId & 0xff,
      ])
      video.push({
        t: (frame * 1000) / 30,
        marker: at + 1100 >= body.length,
        timestamp: frame * 3000,
        payload: Buffer.concat([descriptor, chunk]).toString('base64'),
      })
    }
    frame++
  }
  return { durationMs: (frame * 1000) / 30, video }
}

interface Directory {
  readonly sessionId: string
  readonly tracks: readonly { name: string; source: string }[]
}

// ---- a meeting of Mia and n remotes ------------------------------------------------------------------------

interface Meeting {
  readonly page: Page
  readonly host: HostProcess
  readonly n: number
  /** Epoch ms around Mia's join click. */
  readonly joinStart: number
  readonly joinEnd: number
  readonly publishers: ChildProcess
  end(): Promise<void>
}

async function meetWith(browser: Browser, host: HostProcess, b: Backend, n: number): Promise<Meeting> {
  const room = newRoomCode()
  const publishers = fork('bench/meetingPublishers.ts', [], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  const ready = new Promise<void>((resolve, reject) => {
    publishers.once('message', (m) =>
      (m as { type: string }).type === 'ready' ? resolve() : reject(new Error(JSON.stringify(m))),
    )
    publishers.once('exit', (code) => reject(new Error(`publishers exited with ${code}`)))
  })
  publishers.send({ ...b, room, participants: n, capturePath: CAPTURE })
  const timer = setTimeout(() => publishers.kill(), 60_000)
  await ready.finally(() => clearTimeout(timer))
  const joinStart = Date.now()
  const page = await joinMeeting(browser, host, 'Mia', room, { initScripts: SCRIPTS })
  // Every remote tile presents frames (a replay loop starts with a keyframe at most 4 s away).
  await waitFor(
    async () => {
      const streams = await page.evaluate(
        () => (globalThis as unknown as { __probe: { streams: StreamEntry[] } }).__probe.streams,
      )
      const showing = new Set(streams.filter((s) => s.kind === 'camera' && s.count > 5).map((s) => s.name))
      return Array.from({ length: n }, (_, i) => `Pub ${i}`).every((name) => showing.has(name)) || undefined
    },
    `${n} remote tiles presenting frames`,
    30_000,
  )
  const joinEnd = Date.now()
  return {
    page,
    host,
    n,
    joinStart,
    joinEnd,
    publishers,
    end: async () => {
      await leave(page)
      publishers.send({ type: 'stop' })
      if (publishers.exitCode === null) await new Promise((r) => publishers.once('exit', r))
    },
  }
}

// ---- G8: Calls API calls per session ------------------------------------------------------------------------

async function apiCalls(meeting: Meeting): Promise<Metric[]> {
  const { page } = meeting
  await sleep(2000)
  const pinStart = Date.now()
  const tile = page.locator('[data-kind="camera"][data-name="Pub 0"]')
  await tile.getByRole('button', { name: 'Pin' }).click()
  await sleep(2000)
  await page.locator('[data-kind="camera"][data-name="Pub 0"]').getByRole('button', { name: 'Unpin' }).click()
  await sleep(2000)
  const pinEnd = Date.now()
  const rpc = await connectHostRpc(meeting.host)
  const history = await rpc.call('diagnostics:getApiHistory', { limit: 500 })
  rpc.close()
  if (!history.ok) throw new Error(`no API history: ${JSON.stringify(history.error)}`)
  const entries = (history.value as { entries: ApiExchange[] }).entries.filter((e) => e.target === 'local')
  const sessionIds = new Set(entries.filter((e) => e.time >= meeting.joinStart).map((e) => e.sessionId))
  const during = (from: number, to: number) => entries.filter((e) => e.time >= from && e.time <= to)
  const join = during(meeting.joinStart, meeting.joinEnd + 1000)
  const layout = during(pinStart, pinEnd)
  const ops = (list: readonly ApiExchange[]) =>
    Object.entries(
      list.reduce<Record<string, number>>(
        (acc, e) => ({ ...acc, [e.operation]: (acc[e.operation] ?? 0) + 1 }),
        {},
      ),
    )
      .map(([k, v]) => `${k}×${v}`)
      .join(', ')
  console.log(
    `Calls API at join (${join.length}): ${ops(join)}; layout change (${layout.length}): ${ops(layout)}`,
  )
  console.log(`sessions seen since the join: ${[...sessionIds].filter(Boolean).length}`)
  const peakJoin = peakPerSecond(join.map((e) => e.time))
  const peakLayout = peakPerSecond(layout.map((e) => e.time))
  return [
    gated({
      metric: 'G8 Calls API calls, busiest 1 s, joining 9 remotes',
      value: peakJoin,
      unit: 'calls/s',
      limit: 10,
      note: `one session; ${join.length} calls in the join (${ops(join)})`,
    }),
    gated({
      metric: 'G8 Calls API calls, busiest 1 s, 9-tile pin/unpin',
      value: peakLayout,
      unit: 'calls/s',
      limit: 10,
      note: `pin one of 9 remote tiles, 2 s, unpin, 2 s; ${layout.length} calls (${ops(layout)})`,
    }),
  ]
}

/** The most timestamps inside any 1 s window. */
function peakPerSecond(times: readonly number[]): number {
  const sorted = [...times].sort((a, b) => a - b)
  let best = 0
  for (let i = 0, j = 0; i < sorted.length; i++) {
    while (sorted[i]! - sorted[j]! >= 1000) j++
    best = Math.max(best, i - j + 1)
  }
  return best
}

// ---- G9: memory per tile ----------------------------------------------------------------------------------

interface Memory {
  readonly renderers: number
  /** Sizes the remote tiles present, e.g. `640x480×9`. */
  readonly received: string
  readonly rendererPss: number
  readonly rendererRss: number
  readonly gpuPss: number
  readonly gpuRss: number
  readonly jsHeap: number
}

async function measureMemory(page: Page): Promise<Memory> {
  await sleep(5000)
  const cdp = await page.context().newCDPSession(page)
  await cdp.send('HeapProfiler.collectGarbage')
  await cdp.send('Performance.enable')
  const { metrics } = await cdp.send('Performance.getMetrics')
  await cdp.detach()
  const jsHeap = metrics.find((m) => m.name === 'JSHeapUsedSize')?.value ?? Number.NaN
  const procs = chromiumProcesses()
  const sum = (type: string, field: 'pss' | 'rss') =>
    procs.filter((p) => p.type === type).reduce((a, p) => a + memoryOf(p.pid)[field], 0)
  const streams = await page.evaluate(
    () => (globalThis as unknown as { __probe: { streams: StreamEntry[] } }).__probe.streams,
  )
  const sizes = new Map<string, number>()
  for (const s of streams.filter((x) => x.kind === 'camera' && x.name?.startsWith('Pub ') && x.count > 0)) {
    const key = `${s.width}x${s.height}`
    sizes.set(key, (sizes.get(key) ?? 0) + 1)
  }
  return {
    renderers: procs.filter((p) => p.type === 'renderer').length,
    received: [...sizes].map(([k, v]) => `${k}×${v}`).join(' '),
    rendererPss: sum('renderer', 'pss'),
    rendererRss: sum('renderer', 'rss'),
    gpuPss: sum('gpu-process', 'pss'),
    gpuRss: sum('gpu-process', 'rss'),
    jsHeap: jsHeap / 1024 / 1024,
  }
}

function memoryMetrics(points: readonly { n: number; m: Memory }[]): Metric[] {
  const slope = (f: (m: Memory) => number) => leastSquaresSlope(points.map(({ n, m }) => [n, f(m)]))
  const total = (m: Memory) => m.rendererPss + m.gpuPss
  for (const { n, m } of points)
    console.log(
      `memory with ${n} remote tiles (${m.received}; ${m.renderers} renderer processes): renderer PSS ${round(m.rendererPss)} MB (RSS ${round(m.rendererRss)}), GPU PSS ${round(m.gpuPss)} MB (RSS ${round(m.gpuRss)}), JS heap ${round(m.jsHeap)} MB`,
    )
  return [
    gated({
      metric: 'G9 renderer + GPU PSS per remote tile',
      value: round(slope(total), 2),
      unit: 'MB/tile',
      limit: 15,
      note: `least-squares slope over N = ${points.map((p) => p.n).join(', ')} remote 640x480 tiles (camera + microphone each)`,
    }),
    metric({
      metric: 'G9 renderer RSS per remote tile',
      value: round(
        slope((m) => m.rendererRss),
        2,
      ),
      unit: 'MB/tile',
    }),
    metric({
      metric: 'G9 GPU process RSS per remote tile',
      value: round(
        slope((m) => m.gpuRss),
        2,
      ),
      unit: 'MB/tile',
    }),
    metric({
      metric: 'G9 JS heap per remote tile',
      value: round(
        slope((m) => m.jsHeap),
        2,
      ),
      unit: 'MB/tile',
    }),
    ...points.flatMap(({ n, m }) => [
      metric({ metric: `G9 renderer + GPU PSS, ${n} remote tiles`, value: round(total(m)), unit: 'MB' }),
      metric({ metric: `G9 renderer RSS, ${n} remote tiles`, value: round(m.rendererRss), unit: 'MB' }),
      metric({ metric: `G9 JS heap, ${n} remote tiles`, value: round(m.jsHeap, 2), unit: 'MB' }),
    ]),
  ]
}

function leastSquaresSlope(points: readonly [number, number][]): number {
  const n = points.length
  const mx = points.reduce((a, [x]) => a + x, 0) / n
  const my = points.reduce((a, [, y]) => a + y, 0) / n
  const sxy = points.reduce((a, [x, y]) => a + (x - mx) * (y - my), 0)
  const sxx = points.reduce((a, [x]) => a + (x - mx) ** 2, 0)
  return sxx === 0 ? 0 : sxy / sxx
}

// ---- G13: CPU of a 4-person meeting ---------------------------------------------------------------------------

async function cpuOfMeeting(meeting: Meeting): Promise<Metric[]> {
  await sleep(5000)
  const before = new Map(chromiumProcesses().map((p) => [p.pid, { ...p, cpu: safeCpu(p.pid) }]))
  const publishersBefore = safeCpu(meeting.publishers.pid!)
  const machine0 = machineTicks()
  const t0 = performance.now()
  await sleep(CPU_WINDOW_MS)
  const seconds = (performance.now() - t0) / 1000
  const machine1 = machineTicks()
  const machine = ((machine1.busy - machine0.busy) / (machine1.total - machine0.total)) * 100
  const byType = new Map<string, number>()
  for (const p of chromiumProcesses()) {
    const start = before.get(p.pid)?.cpu ?? 0
    const used = safeCpu(p.pid) - start
    byType.set(p.type, (byType.get(p.type) ?? 0) + (used / seconds) * 100)
  }
  const publishersCpu = ((safeCpu(meeting.publishers.pid!) - publishersBefore) / seconds) * 100
  const total = [...byType.values()].reduce((a, b) => a + b, 0)
  const breakdown = [...byType].map(([t, v]) => `${t} ${round(v)} %`).join(', ')
  console.log(`CPU of a ${meeting.n + 1}-person meeting: ${round(total)} % of a core (${breakdown})`)
  return [
    gated({
      metric: `G13 Chromium CPU, ${meeting.n + 1}-person meeting`,
      value: round(total),
      unit: '% of a core',
      limit: 100,
      note: `every Chromium process over ${CPU_WINDOW_MS / 1000} s: ${breakdown}; Mia publishes a 640x480 y4m camera (simulcast) and the microphone, and shows ${meeting.n} remote 640x480 tiles`,
    }),
    ...[...byType].map(([t, v]) =>
      metric({ metric: `G13 CPU of ${t} processes`, value: round(v), unit: '% of a core' }),
    ),
    metric({
      metric: 'G13 machine CPU busy in the window',
      value: round(machine),
      unit: '% of all cores',
      note: 'everything on the machine, including other work running at the same time',
    }),
    metric({
      metric: `G13 CPU of the ${meeting.n} replayed remotes (not the client)`,
      value: round(publishersCpu),
      unit: '% of a core',
    }),
  ]
}

// ---- processes ------------------------------------------------------------------------------------------

interface Proc {
  readonly pid: number
  readonly type: string
}

/** Every Chromium process this bench started: descendants of this process whose command is Chromium. */
function chromiumProcesses(): Proc[] {
  const parent = new Map<number, number>()
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8')
      parent.set(Number(name), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]))
    } catch {
      // gone
    }
  }
  const mine = (pid: number): boolean => {
    for (let p = parent.get(pid); p !== undefined && p > 1; p = parent.get(p))
      if (p === process.pid) return true
    return false
  }
  const out: Proc[] = []
  for (const pid of parent.keys()) {
    if (!mine(pid)) continue
    let cmd: string
    try {
      cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8')
    } catch {
      continue
    }
    // Chromium rewrites its children's titles: their command line is then one space-separated string.
    const argv = cmd.split(/[\0 ]/)
    if (!/chrom/i.test(argv[0] ?? '')) continue
    const type = argv[0]?.endsWith('crashpad_handler')
      ? 'crashpad'
      : (argv.find((a) => a.startsWith('--type='))?.slice('--type='.length) ?? 'browser')
    out.push({
      pid,
      type: argv.includes('--utility-sub-type=network.mojom.NetworkService') ? 'network' : type,
    })
  }
  return out
}

function memoryOf(pid: number): { pss: number; rss: number } {
  try {
    const text = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8')
    const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? 0)
    return { pss: kb('Pss') / 1024, rss: kb('Rss') / 1024 }
  } catch {
    return { pss: 0, rss: 0 }
  }
}

function safeCpu(pid: number): number {
  try {
    return cpuSeconds(pid)
  } catch {
    return 0
  }
}

// ---- helpers --------------------------------------------------------------------------------------------

async function waitFor<T>(probe: () => Promise<T | undefined>, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await probe()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await sleep(100)
  }
}

async function leave(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Leave' }).click()
  await page.getByRole('heading', { name: 'You left the meeting' }).waitFor()
  await page.context().close()
}
