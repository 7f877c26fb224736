import { readFileSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import type { Page } from '@playwright/test'

export interface SfuTestPage {
  /** `http://127.0.0.1:<port>`: give it to the SFU's `corsOrigins`. */
  readonly origin: string
  readonly url: string
  close(): Promise<void>
}

const CLIENT = readFileSync(join(import.meta.dirname, 'sfuPage', 'client.js'), 'utf8')
const HTML =
  '<!doctype html><meta charset="utf-8"><title>SFU test page</title><script src="/client.js"></script>'

/**
 * Serves the SFU test page (a static HTML page plus `client.js`, a minimal Calls client) from 127.0.0.1, so pages
 * are a secure context with `navigator.mediaDevices`, and call the SFU cross-origin with fetch.
 */
export async function serveSfuTestPage(): Promise<SfuTestPage> {
  const server = createServer((req, res) => {
    if (req.url === '/client.js') res.writeHead(200, { 'content-type': 'text/javascript' }).end(CLIENT)
    else if (req.url === '/' || req.url === '/index.html')
      res.writeHead(200, { 'content-type': 'text/html' }).end(HTML)
    else res.writeHead(404).end()
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()))
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return {
    origin,
    url: `${origin}/`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}

/** What client.js puts on the page, as seen from the test (no DOM typings here). */
export interface PagePeerStats {
  readonly kind: 'audio' | 'video'
  readonly framesDecoded: number
  readonly frameWidth: number
  readonly packetsReceived: number
  readonly totalAudioEnergy: number
  readonly freezeCount: number
}

export interface PageOutboundStats {
  readonly frameWidth: number
  readonly framesEncoded: number
  readonly qualityLimitationReason: string
}

/** One page with one CallsPeer on it, driven from Node. */
export class PagePeer {
  sessionId = ''

  private constructor(readonly page: Page) {}

  static async open(page: Page, url: string, baseUrl: string, token: string): Promise<PagePeer> {
    await page.goto(url)
    const peer = new PagePeer(page)
    peer.sessionId = await page.evaluate(
      async ([b, t]) => {
        const g = globalThis as unknown as PageGlobals
        g.peer = new g.CallsPeer(b!, t!)
        return g.peer.start()
      },
      [baseUrl, token],
    )
    return peer
  }

  publish(
    options: {
      audio?: boolean
      video?: boolean
      simulcast?: boolean
      width?: number
      height?: number
      /** sendEncodings for a simulcast video track; the default is f, h (÷2), q (÷4) in that order. */
      encodings?: readonly { rid: string; scaleResolutionDownBy?: number; maxBitrate?: number }[]
    } = {},
  ): Promise<string[]> {
    return this.page.evaluate((o) => (globalThis as unknown as PageGlobals).peer.publish(o), options)
  }

  /** The publisher's outbound video per rid (what the encoder really sends). */
  outbound(): Promise<Record<string, PageOutboundStats>> {
    return this.page.evaluate(() => (globalThis as unknown as PageGlobals).peer.outbound())
  }

  /** Pull tracks and return their mids with the time from the request to each first decoded frame. */
  pull(
    tracks: readonly { sessionId: string; trackName: string; simulcast?: { preferredRid: string } }[],
  ): Promise<{ t0: number; mids: string[] }> {
    return this.page.evaluate((t) => (globalThis as unknown as PageGlobals).peer.pull(t), tracks)
  }

  firstFrame(mid: string): Promise<number> {
    return this.page.evaluate((m) => (globalThis as unknown as PageGlobals).peer.firstFrame(m), mid)
  }

  closeTracks(mids: readonly string[]): Promise<void> {
    return this.page.evaluate((m) => (globalThis as unknown as PageGlobals).peer.closeTracks(m), mids)
  }

  setLayer(mid: string, sessionId: string, trackName: string, rid: string): Promise<unknown> {
    return this.page.evaluate(
      ([m, s, t, r]) => (globalThis as unknown as PageGlobals).peer.setLayer(m!, s!, t!, r!),
      [mid, sessionId, trackName, rid],
    )
  }

  inbound(): Promise<Record<string, PagePeerStats>> {
    return this.page.evaluate(() => (globalThis as unknown as PageGlobals).peer.inbound())
  }

  async close(): Promise<void> {
    await this.page.evaluate(() => (globalThis as unknown as PageGlobals).peer.close()).catch(() => undefined)
    await this.page.close()
  }
}

interface PageCallsPeer {
  start(): Promise<string>
  publish(o: object): Promise<string[]>
  pull(t: readonly object[]): Promise<{ t0: number; mids: string[] }>
  firstFrame(mid: string): Promise<number>
  closeTracks(mids: readonly string[]): Promise<void>
  setLayer(mid: string, sessionId: string, trackName: string, rid: string): Promise<unknown>
  inbound(): Promise<Record<string, PagePeerStats>>
  outbound(): Promise<Record<string, PageOutboundStats>>
  close(): void
}
interface PageGlobals {
  CallsPeer: new (baseUrl: string, token: string) => PageCallsPeer
  peer: PageCallsPeer
}
