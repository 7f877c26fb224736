import { fork } from 'node:child_process'
import { resolve } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createLogger, consoleSink } from '../../shared/log/logger'
import { Redactor } from '../../shared/log/redact'
import { startSfu, type SfuServer } from '../../server/sfu'
import { SfuApi } from '../helpers/sfuApi'
import { VideoWatcher, waitFor, WrtcClient, type WrtcTrack } from '../helpers/wrtcClient'

const log = createLogger('test', [consoleSink(process.env['SFU_DEBUG'] ? 'debug' : 'warn')], new Redactor())
let sfu: SfuServer
let api: SfuApi
const clients: WrtcClient[] = []
const watchers: VideoWatcher[] = []

beforeAll(async () => {
  sfu = await startSfu({ log, timings: { silenceMs: 1500, reuseWindowMs: 1500 } })
  api = new SfuApi(sfu.baseUrl, sfu.token)
})
afterAll(async () => {
  await sfu.close()
})
afterEach(() => {
  for (const w of watchers.splice(0)) w.stop()
  for (const c of clients.splice(0)) c.close()
})

async function client(): Promise<WrtcClient> {
  const c = await WrtcClient.connect(api)
  clients.push(c)
  return c
}
function watch(track: WrtcTrack): VideoWatcher {
  const w = new VideoWatcher(track)
  watchers.push(w)
  return w
}

function iceUfrag(c: WrtcClient): string | undefined {
  return /a=ice-ufrag:(\S+)/.exec(c.pc.localDescription?.sdp ?? '')?.[1]
}

async function outgoingEstimate(c: WrtcClient): Promise<number> {
  const report = await c.pc.getStats()
  let best = 0
  for (const s of report.values()) {
    if (s['type'] === 'candidate-pair' && typeof s['availableOutgoingBitrate'] === 'number') {
      best = Math.max(best, s['availableOutgoingBitrate'])
    }
  }
  return best
}

describe('local SFU with wrtc clients', { timeout: 30_000 }, () => {
  it('forwards video from a publisher to a subscriber', async () => {
    const pub = await client()
    await pub.pushVideo('cam')
    const sub = await client()
    const [pulled] = await sub.pull([{ sessionId: pub.sessionId, trackName: 'cam' }])
    const w = watch(pulled!.track)
    await w.more(10)
    expect(w.width).toBe(320)
  })

  it('pull then push on one PeerConnection, and push then pull on another', async () => {
    const a = await client()
    await a.pushVideo('a-cam')
    const b = await client()
    const [fromA] = await b.pull([{ sessionId: a.sessionId, trackName: 'a-cam' }])
    await b.pushVideo('b-cam', { width: 240, height: 160 })
    const [fromB] = await a.pull([{ sessionId: b.sessionId, trackName: 'b-cam' }])
    const wa = watch(fromA!.track)
    const wb = watch(fromB!.track)
    await Promise.all([wa.more(10), wb.more(10)])
    expect([wa.width, wb.width]).toEqual([320, 240])
  })

  it('closes a pulled track and pulls it again on the same PeerConnection', async () => {
    const pub = await client()
    await pub.pushVideo('cam')
    await pub.pushAudio('mic')
    const sub = await client()
    // The first m-line (the BUNDLE tag) stays: a max-bundle client cannot close its last m-line, and closing the
    // tag makes libwebrtc move the bundle to a new DTLS transport, which ends the session.
    const [, first] = await sub.pull([
      { sessionId: pub.sessionId, trackName: 'mic' },
      { sessionId: pub.sessionId, trackName: 'cam' },
    ])
    const w1 = watch(first!.track)
    await w1.more(5)
    await sub.closeTracks([first!.mid])
    const state = await api.session(sub.sessionId)
    expect(state.tracks?.filter((t) => t.status === 'active').map((t) => t.trackName)).toEqual(['mic'])
    const [second] = await sub.pull([{ sessionId: pub.sessionId, trackName: 'cam' }])
    const w2 = watch(second!.track)
    await w2.more(10)
  })

  it('switches simulcast layers f -> h -> q', async () => {
    const pub = await client()
    await pub.pushVideo('sim', { width: 1280, height: 720, simulcast: true })
    const sub = await client()
    const [pulled] = await sub.pull([
      { sessionId: pub.sessionId, trackName: 'sim', simulcast: { preferredRid: 'f' } },
    ])
    const w = watch(pulled!.track)
    await w.more(10, 15_000)
    const sizes = [w.width]
    for (const rid of ['h', 'q']) {
      await api.tracksUpdate(sub.sessionId, {
        tracks: [
          {
            location: 'remote',
            mid: pulled!.mid,
            sessionId: pub.sessionId,
            trackName: 'sim',
            simulcast: { preferredRid: rid },
          },
        ],
      })
      const before = w.width
      await waitFor(() => w.width !== before, `layer ${rid}`, 10_000)
      await w.more(10)
      sizes.push(w.width)
    }
    expect(sizes).toEqual([1280, 640, 320])
  })

  it('ICE restarts on either side keep media flowing', async () => {
    const pub = await client()
    await pub.pushVideo('cam')
    const sub = await client()
    const [pulled] = await sub.pull([{ sessionId: pub.sessionId, trackName: 'cam' }])
    const w = watch(pulled!.track)
    await w.more(5)
    const ufrags = new Set([iceUfrag(sub)])
    for (let i = 0; i < 3; i++) {
      await sub.restartIce()
      ufrags.add(iceUfrag(sub))
      await w.more(10, 5000, `frames after subscriber restart ${i + 1}`)
      await pub.restartIce()
      await w.more(10, 5000, `frames after publisher restart ${i + 1}`)
    }
    expect(ufrags.size).toBe(4)
  })

  it('forwards audio', async () => {
    const pub = await client()
    await pub.pushAudio('mic')
    const sub = await client()
    const [pulled] = await sub.pull([{ sessionId: pub.sessionId, trackName: 'mic' }])
    await waitFor(
      async () => ((await sub.inbound(pulled!.mid))['packetsReceived'] ?? 0) > 50,
      '50 audio packets',
    )
    const stats = await sub.inbound(pulled!.mid)
    expect(stats['totalAudioEnergy']).toBeGreaterThan(0)
  })

  it('sends the publisher a REMB so its bandwidth estimate starts high', async () => {
    const pub = await client()
    await pub.pushVideo('cam', { width: 640, height: 480 })
    const sub = await client()
    await sub.pull([{ sessionId: pub.sessionId, trackName: 'cam' }])
    // libwebrtc starts near 300 kbps and ramps slowly without feedback; the SFU's REMB lifts it to the cap.
    await waitFor(
      async () => (await outgoingEstimate(pub)) >= 2_000_000,
      'the estimate to reach 2 Mbps',
      5000,
    )
  })

  it('relays data channel messages from a publisher to a subscriber', async () => {
    const a = await client()
    const b = await client()
    for (const c of [a, b]) {
      const reply = await api.establish(c.sessionId, {
        dataChannel: { location: 'remote', dataChannelName: 'server-events' },
      })
      expect(reply.requiresImmediateRenegotiation).toBe(true)
      await c.answer(reply.sessionDescription!)
    }
    const [local] = (
      await api.dataChannelsNew(a.sessionId, {
        dataChannels: [{ location: 'local', dataChannelName: 'chat' }],
      })
    ).dataChannels!
    const [remote] = (
      await api.dataChannelsNew(b.sessionId, {
        dataChannels: [{ location: 'remote', sessionId: a.sessionId, dataChannelName: 'chat' }],
      })
    ).dataChannels!
    const send = a.createDataChannel('chat', { negotiated: true, id: local!.id! })
    const receive = b.createDataChannel('chat', { negotiated: true, id: remote!.id! })
    const got: unknown[] = []
    receive.onmessage = (e) => got.push(e.data)
    await waitFor(() => send.readyState === 'open' && receive.readyState === 'open', 'both channels to open')
    // The SFU side opens a moment later than the client side; send until it arrives.
    await waitFor(() => {
      send.send('hello')
      return got.length > 0
    }, 'the message to arrive')
    expect(got[0]).toBe('hello')
    const state = await api.session(b.sessionId)
    expect(state.dataChannels?.find((d) => d.id === remote!.id)?.status).toBe('active')
  })

  it('a publisher that leaves ends its tracks for subscribers', async () => {
    const pub = await client()
    await pub.pushVideo('cam')
    const other = await client()
    await other.pushAudio('mic')
    await other.pushAudio('mic2')
    const sub = await client()
    // The subscriber's first m-line (its BUNDLE tag) carries another participant's audio, as in a meeting.
    const [, pulled] = await sub.pull([
      { sessionId: other.sessionId, trackName: 'mic' },
      { sessionId: pub.sessionId, trackName: 'cam' },
    ])
    const w = watch(pulled!.track)
    await w.more(5)
    pub.close()
    await waitFor(
      async () => {
        const state = await api.session(sub.sessionId)
        return state.tracks?.find((t) => t.mid === pulled!.mid)?.status === 'inactive'
      },
      'the pulled track to turn inactive',
      10_000,
    )
    // The next SFU offer to the subscriber stops the dead transceiver, which ends its track.
    await sub.pull([{ sessionId: other.sessionId, trackName: 'mic2' }])
    await waitFor(() => pulled!.track.readyState === 'ended', 'the track to end', 5_000)
  })
})

describe('local SFU lifecycle when a client vanishes', { timeout: 30_000 }, () => {
  it('reports a crashed publisher inactive, then ends its tracks and its session', async () => {
    const quick = await startSfu({ log, timings: { silenceMs: 1000, reuseWindowMs: 1500 } })
    const quickApi = new SfuApi(quick.baseUrl, quick.token)
    const child = fork(resolve('test/helpers/sfuCrashPublisher.ts'), [], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    })
    try {
      child.send({ baseUrl: quick.baseUrl, token: quick.token })
      const { sessionId } = await new Promise<{ sessionId: string }>((r) =>
        child.once('message', (m) => r(m as { sessionId: string })),
      )
      const sub = await WrtcClient.connect(quickApi)
      clients.push(sub)
      await sub.pushAudio('mic') // its own first m-line, so the pulled one can be stopped
      const [pulled] = await sub.pull([{ sessionId, trackName: 'cam' }])
      const w = watch(pulled!.track)
      await w.more(5)
      expect(quick.stats().sessions).toBe(2)
      child.kill('SIGKILL')
      const status = async (): Promise<string | undefined> =>
        (await quickApi.session(sub.sessionId)).tracks?.find((t) => t.mid === pulled!.mid)?.status
      // No alert, no packets: after the silence the track is reported inactive...
      await waitFor(async () => (await status()) === 'inactive', 'the pulled track to turn inactive', 5000)
      // ...and after the reuse window the publisher's session is gone, and with it the track.
      await waitFor(() => quick.stats().sessions === 1, 'the silent session to close', 5000)
      expect(quick.stats().publications).toBe(1)
      expect((await quickApi.raw('GET', `sessions/${sessionId}`)).status).toBe(410)
      await sub.pull([{ sessionId: sub.sessionId, trackName: 'mic' }])
      await waitFor(() => pulled!.track.readyState === 'ended', 'the track to end')
    } finally {
      child.kill('SIGKILL')
      await quick.close()
    }
  })
})

describe('local SFU under packet loss (test mode)', { timeout: 30_000 }, () => {
  let lossy: SfuServer
  let lossyApi: SfuApi
  beforeAll(async () => {
    lossy = await startSfu({ log, lossRate: 0.05 })
    lossyApi = new SfuApi(lossy.baseUrl, lossy.token)
  })
  afterAll(async () => {
    await lossy.close()
  })

  it('recovers dropped video packets with NACK from the per-subscriber cache', async () => {
    const pub = await WrtcClient.connect(lossyApi)
    clients.push(pub)
    await pub.pushVideo('cam', { width: 640, height: 480 })
    const sub = await WrtcClient.connect(lossyApi)
    clients.push(sub)
    const [pulled] = await sub.pull([{ sessionId: pub.sessionId, trackName: 'cam' }])
    const w = watch(pulled!.track)
    await w.more(5)
    const before = await sub.inbound(pulled!.mid)
    const dropsBefore = lossy.stats().testDrops
    await w.more(150, 15_000)
    const after = await sub.inbound(pulled!.mid)
    const dropped = lossy.stats().testDrops - dropsBefore
    const nacks = (after['nackCount'] ?? 0) - (before['nackCount'] ?? 0)
    const lost = (after['packetsLost'] ?? 0) - (before['packetsLost'] ?? 0)
    expect(dropped).toBeGreaterThan(10)
    expect(nacks).toBeGreaterThan(0)
    // Retransmissions count as received: what stays lost is what the cache could not serve.
    expect(lost).toBeLessThan(dropped * 0.2)
  })
})
