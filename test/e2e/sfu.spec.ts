import { expect, test, type Browser } from '@playwright/test'
import { startSfu, type SfuServer } from '../../server/sfu'
import { consoleSink, createLogger } from '../../shared/log/logger'
import { Redactor } from '../../shared/log/redact'
import { chromiumArgs } from '../../playwright.config'
import { SIMULCAST_ENCODINGS } from '../../shared/call/layout'
import { PagePeer, serveSfuTestPage, type PagePeerStats, type SfuTestPage } from '../helpers/sfuPage'

// Real Chromium pages (fake camera and microphone) pushing and pulling through the local SFU over the Calls API.
// Run inside the network namespace: Chromium gathers no host candidate on loopback (./scripts/netns.sh).

// Remote audio must play (into Chromium's fake output) for its energy to show in getStats.
test.use({
  launchOptions: {
    executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium',
    args: [...chromiumArgs, '--autoplay-policy=no-user-gesture-required'],
  },
})

let sfu: SfuServer
let site: SfuTestPage
const log = createLogger('e2e', [consoleSink('warn')], new Redactor())

test.beforeAll(async () => {
  site = await serveSfuTestPage()
  sfu = await startSfu({ log, corsOrigins: [site.origin] })
})
test.afterAll(async () => {
  await sfu.close()
  await site.close()
})

/** Measured values, kept in the test report (test-results/e2e.json). */
function note(description: string): void {
  test.info().annotations.push({ type: 'measured', description })
}

async function openPeers(browser: Browser, count: number): Promise<PagePeer[]> {
  return Promise.all(
    Array.from({ length: count }, async () =>
      PagePeer.open(await browser.newPage(), site.url, sfu.baseUrl, sfu.token),
    ),
  )
}

/** Every pulled video track decodes and every pulled audio track receives packets with sound in them. */
function healthy(stats: Record<string, PagePeerStats>, mids: readonly string[]): boolean {
  return mids.every((mid) => {
    const s = stats[mid]
    if (!s) return false
    return s.kind === 'video' ? s.framesDecoded > 0 : s.packetsReceived > 0 && s.totalAudioEnergy > 0
  })
}

/** Video frames decoded per pulled video mid, to check they keep rising. */
function frames(stats: Record<string, PagePeerStats>, mids: readonly string[]): number[] {
  return mids.filter((m) => stats[m]?.kind === 'video').map((m) => stats[m]!.framesDecoded)
}

async function expectMediaFlowing(peers: readonly { peer: PagePeer; mids: string[] }[]): Promise<void> {
  let last: unknown
  await expect
    .poll(
      async () => {
        const stats = await Promise.all(peers.map((p) => p.peer.inbound()))
        last = stats.map((s, i) =>
          peers[i]!.mids.map((m) => s[m]).filter(
            (x) =>
              !x ||
              (x.kind === 'video'
                ? x.framesDecoded === 0
                : x.packetsReceived === 0 || x.totalAudioEnergy === 0),
          ),
        )
        return stats.every((s, i) => healthy(s, peers[i]!.mids))
      },
      { timeout: 20_000, intervals: [250], message: 'all pulled tracks healthy' },
    )
    .toBe(true)
    .catch((e: unknown) => {
      throw new Error(`${String(e)}\nunhealthy: ${JSON.stringify(last)}`)
    })
  const before = await Promise.all(peers.map(async (p) => frames(await p.peer.inbound(), p.mids)))
  await new Promise((r) => setTimeout(r, 1500))
  const after = await Promise.all(peers.map(async (p) => frames(await p.peer.inbound(), p.mids)))
  after.forEach((counts, i) => counts.forEach((n, j) => expect(n).toBeGreaterThan(before[i]![j]!)))
}

test('one publisher to eight subscribers: every subscriber decodes video and hears audio', async ({
  browser,
}) => {
  test.setTimeout(90_000)
  const [publisher] = await openPeers(browser, 1)
  await publisher!.publish()
  const subscribers = await openPeers(browser, 8)
  const pulls = await Promise.all(
    subscribers.map(async (peer) => {
      const { t0, mids } = await peer.pull([
        { sessionId: publisher!.sessionId, trackName: 'video' },
        { sessionId: publisher!.sessionId, trackName: 'audio' },
      ])
      return { peer, mids, firstFrameMs: (await peer.firstFrame(mids[0]!)) - t0 }
    }),
  )
  note(
    `pull → first frame, 8 fresh subscribers at once: ${pulls.map((p) => Math.round(p.firstFrameMs)).join(', ')} ms`,
  )
  await expectMediaFlowing(pulls)
  note(`padding-only packets received (and not forwarded) by the SFU so far: ${sfu.stats().paddingIn}`)
  expect(sfu.stats()).toMatchObject({ publications: 2, subscriptions: 16 })
  for (const p of [publisher!, ...subscribers]) await p.close()
})

test('five-person meeting, everyone pulls everyone: all video decodes and all audio plays', async ({
  browser,
}) => {
  test.setTimeout(90_000)
  const peers = await openPeers(browser, 5)
  for (const p of peers) await p.publish()
  const pulls = await Promise.all(
    peers.map(async (peer) => {
      const others = peers.filter((o) => o !== peer)
      const { mids } = await peer.pull(
        others.flatMap((o) => [
          { sessionId: o.sessionId, trackName: 'video' },
          { sessionId: o.sessionId, trackName: 'audio' },
        ]),
      )
      return { peer, mids }
    }),
  )
  await expectMediaFlowing(pulls)
  const stats = await Promise.all(pulls.map((p) => p.peer.inbound()))
  note(
    `5-person meeting: ${stats.flatMap((s) => Object.values(s).filter((x) => x.kind === 'video')).length} video streams decoding, ` +
      `${sfu.stats().packetsOut} packets forwarded`,
  )
  for (const p of peers) await p.close()
})

test("simulcast at 640x480 with the app's encodings: the two layers Chromium sends are delivered at their size", async ({
  browser,
}) => {
  test.setTimeout(60_000)
  const [publisher, subscriber] = await openPeers(browser, 2)
  await publisher!.publish({
    audio: false,
    simulcast: true,
    width: 640,
    height: 480,
    encodings: SIMULCAST_ENCODINGS,
  })
  const { mids } = await subscriber!.pull([
    { sessionId: publisher!.sessionId, trackName: 'video', simulcast: { preferredRid: 'h' } },
  ])
  const mid = mids[0]!
  const width = async (): Promise<number> => (await subscriber!.inbound())[mid]?.frameWidth ?? 0
  await expect.poll(width, { timeout: 20_000 }).toBe(320)
  await subscriber!.setLayer(mid, publisher!.sessionId, 'video', 'f')
  await expect.poll(width, { timeout: 10_000 }).toBe(640)
  // libwebrtc sends at most two layers of a 640x480 source and keeps the first encodings: f and h must be them.
  const sent = await publisher!.outbound()
  note(`publisher outbound per rid at 640x480: ${JSON.stringify(sent)}`)
  expect(sent['f']?.frameWidth).toBe(640)
  expect(sent['h']?.frameWidth).toBe(320)
  // q is not sent: the SFU serves the nearest layer instead (h), and the picture keeps moving.
  await subscriber!.setLayer(mid, publisher!.sessionId, 'video', 'q')
  await expect.poll(width, { timeout: 10_000 }).toBe(320)
  const before = (await subscriber!.inbound())[mid]!
  await expect
    .poll(async () => (await subscriber!.inbound())[mid]!.framesDecoded)
    .toBeGreaterThan(before.framesDecoded + 10)
  for (const p of [publisher!, subscriber!]) await p.close()
})

test('simulcast: a subscriber switches layers f → h → q on a Chromium publisher', async ({ browser }) => {
  test.setTimeout(60_000)
  const [publisher, subscriber] = await openPeers(browser, 2)
  await publisher!.publish({ audio: false, simulcast: true, width: 1280, height: 720 })
  const { mids } = await subscriber!.pull([
    { sessionId: publisher!.sessionId, trackName: 'video', simulcast: { preferredRid: 'f' } },
  ])
  const mid = mids[0]!
  const width = async (): Promise<number> => (await subscriber!.inbound())[mid]?.frameWidth ?? 0
  await expect.poll(width, { timeout: 20_000 }).toBe(1280)
  await subscriber!.setLayer(mid, publisher!.sessionId, 'video', 'h')
  await expect.poll(width, { timeout: 10_000 }).toBe(640)
  await subscriber!.setLayer(mid, publisher!.sessionId, 'video', 'q')
  await expect.poll(width, { timeout: 10_000 }).toBe(320)
  const frozen = (await subscriber!.inbound())[mid]!
  await expect
    .poll(async () => (await subscriber!.inbound())[mid]!.framesDecoded)
    .toBeGreaterThan(frozen.framesDecoded + 10)
  for (const p of [publisher!, subscriber!]) await p.close()
})
