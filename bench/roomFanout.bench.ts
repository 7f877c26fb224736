import { setTimeout as sleep } from 'node:timers/promises'
import { WebSocket } from 'ws'
import { PING_FRAME } from '../shared/room/protocol'
import { metric, percentile, report, round, type Metric } from './lib'
import { startHub, startMiniflare, startWorker, type RoomTarget } from './roomTargets'

/**
 * Room fan-out (goal G7). For the local hub (its own process) and the room Durable Object (workerd via
 * `wrangler dev --local`):
 * 1. 50 clients in one room, one sends chat messages 25 ms apart: time from send to arrival at each of the 50
 *    (p50/p95 per delivery) and until the last of them has it.
 * 2. 10 clients all sending, at stepped total rates: the highest inbound rate whose p99 delivery stays ≤ 50 ms
 *    with every message delivered (goal ≥ 1,000 msg/s).
 * Latency is measured in this process (send and receive share one clock); the room runs in another process.
 */

const MARK = /"text":"T([0-9.]+)"/

interface Client {
  readonly ws: WebSocket
  readonly id: number
}

let seq = 0

async function join(
  target: RoomTarget,
  room: string,
  name: string,
  onChat: (sentAt: number) => void,
): Promise<Client> {
  const ws = new WebSocket(target.socketUrl(room))
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve())
    ws.once('error', reject)
  })
  const welcomed = new Promise<void>((resolve, reject) => {
    ws.on('message', (data) => {
      const text = (data as Buffer).toString()
      if (text.includes('"kind":"chat"')) {
        // Cheaper than JSON.parse at tens of thousands of frames a second, so the bench is not the bottleneck.
        const m = MARK.exec(text)
        if (m) onChat(Number(m[1]))
        return
      }
      if (text.startsWith('{"v":1,"type":"pong"')) return
      const frame = JSON.parse(text) as { type: string }
      if (frame.type === 'welcome') resolve()
      else if (frame.type === 'error' || frame.type === 'closing') reject(new Error(text))
    })
  })
  ws.send(
    JSON.stringify({ v: 1, type: 'join', id: `j${++seq}`, token: await target.token(room, name), name }),
  )
  await welcomed
  // Keep the room from evicting quiet receivers during long runs.
  const beat = setInterval(() => ws.readyState === ws.OPEN && ws.send(PING_FRAME), 5000)
  ws.once('close', () => clearInterval(beat))
  return { ws, id: seq }
}

function chat(c: Client): void {
  c.ws.send(`{"v":1,"type":"chat","id":"m${++seq}","text":"T${performance.now().toFixed(3)}"}`)
}

async function fanout(target: RoomTarget): Promise<Metric[]> {
  const room = `fanout-${Date.now()}`
  const deliveries: number[] = []
  const lastArrival = new Map<number, number>()
  const clients: Client[] = []
  for (let i = 0; i < 50; i++) {
    clients.push(
      await join(target, room, `c${i}`, (sentAt) => {
        const now = performance.now()
        deliveries.push(now - sentAt)
        lastArrival.set(sentAt, now)
      }),
    )
  }
  const MESSAGES = 200
  const sentTimes: number[] = []
  for (let i = 0; i < MESSAGES; i++) {
    const before = performance.now()
    chat(clients[0]!)
    sentTimes.push(Number(before.toFixed(3)))
    await sleep(25)
  }
  for (let i = 0; i < 100 && deliveries.length < MESSAGES * 50; i++) await sleep(50)
  const allReached = [...lastArrival.entries()].map(([sentAt, last]) => last - sentAt)
  for (const c of clients) c.ws.close()
  const t = target.name
  return [
    metric({
      metric: `${t} fanout50 delivered`,
      value: deliveries.length,
      unit: 'deliveries',
      goal: `${MESSAGES * 50}`,
    }),
    metric({ metric: `${t} fanout50 p50`, value: round(percentile(deliveries, 50), 2), unit: 'ms' }),
    metric({ metric: `${t} fanout50 p95`, value: round(percentile(deliveries, 95), 2), unit: 'ms' }),
    metric({
      metric: `${t} fanout50 all-reached p50`,
      value: round(percentile(allReached, 50), 2),
      unit: 'ms',
    }),
    metric({
      metric: `${t} fanout50 all-reached p95`,
      value: round(percentile(allReached, 95), 2),
      unit: 'ms',
    }),
  ]
}

/** One step of the throughput ramp: `rate` inbound msg/s in total for `seconds`, spread over the clients. */
async function step(
  clients: Client[],
  latencies: number[],
  rate: number,
  seconds: number,
): Promise<{ sent: number; p50: number; p99: number; delivered: number }> {
  latencies.length = 0
  let sent = 0
  const start = performance.now()
  const TICK = 5
  let due = 0
  while (performance.now() - start < seconds * 1000) {
    due += (rate * TICK) / 1000
    while (due >= 1) {
      chat(clients[sent % clients.length]!)
      sent++
      due--
    }
    await sleep(TICK)
  }
  const expected = sent * clients.length
  for (let i = 0; i < 60 && latencies.length < expected; i++) await sleep(50)
  return {
    sent,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    delivered: latencies.length / expected,
  }
}

async function throughput(target: RoomTarget): Promise<Metric[]> {
  const room = `tput-${Date.now()}`
  const latencies: number[] = []
  const clients: Client[] = []
  for (let i = 0; i < 10; i++)
    clients.push(await join(target, room, `t${i}`, (s) => latencies.push(performance.now() - s)))
  let best: { rate: number; p50: number; p99: number } | null = null
  let lastFail = ''
  for (const rate of [250, 500, 1000, 1500, 2000, 3000, 4000, 6000]) {
    const r = await step(clients, latencies, rate, 3)
    const line = `${target.name} ${rate} msg/s: p50 ${round(r.p50, 1)} ms, p99 ${round(r.p99, 1)} ms, delivered ${round(r.delivered * 100, 2)}%`
    console.log(line)
    if (r.p99 > 50 || r.delivered < 0.999) {
      lastFail = line
      break
    }
    best = { rate, p50: r.p50, p99: r.p99 }
    await sleep(500)
  }
  for (const c of clients) c.ws.close()
  const t = target.name
  return [
    metric({
      metric: `${t} sustained inbound (10 clients)`,
      value: best?.rate ?? 0,
      unit: 'msg/s',
      goal: '>= 1000 at p99 <= 50 ms',
    }),
    metric({ metric: `${t} at that rate p50`, value: round(best?.p50 ?? Number.NaN, 2), unit: 'ms' }),
    metric({
      metric: `${t} at that rate p99`,
      value: round(best?.p99 ?? Number.NaN, 2),
      unit: 'ms',
      goal: '<= 50',
    }),
    ...(lastFail ? [] : [metric({ metric: `${t} ramp ended without failing`, value: 1, unit: 'flag' })]),
  ]
}

export async function run(): Promise<void> {
  const metrics: Metric[] = []
  // ROOM_BENCH_TARGETS=hub,do,do-wrangler picks targets; the default skips the wrangler dev variant (its dev
  // proxy sits in front of every frame, so it measures the proxy as much as the room).
  const only = (process.env['ROOM_BENCH_TARGETS'] ?? 'hub,do').split(',')
  const all = { hub: startHub, do: startMiniflare, 'do-wrangler': startWorker }
  const targets = Object.entries(all).filter(([name]) => only.includes(name))
  for (const [, start] of targets) {
    const target = await start()
    try {
      metrics.push(...(await fanout(target)))
      metrics.push(...(await throughput(target)))
    } finally {
      await target.stop()
    }
  }
  report('roomFanout', metrics)
}
