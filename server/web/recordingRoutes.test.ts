import { readFileSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import type { Services } from '../../electron/main/app/services'
import { createLogger } from '../../shared/log/logger'
import { Redactor } from '../../shared/log/redact'
import { makeServices, tempDir } from '../../test/helpers/services'
import { startWebHost, type WebHost } from './host'
import { createRecordingWebRoutes, parseRange } from './recordingRoutes'

const chromium = readFileSync('test/fixtures/recording/chromium-vp9-opus-alpha.webm')
const ctx = { senderId: 'ws:test', trusted: true }
const request = {
  room: 'abc-defg-hij',
  source: 'meeting',
  mimeType: 'video/webm;codecs=vp9,opus',
  width: 160,
  height: 90,
}

let host: WebHost | undefined
afterEach(async () => {
  await host?.close()
  host = undefined
})

async function start(): Promise<{ host: WebHost; services: Services }> {
  const { services } = await makeServices()
  host = await startWebHost({ services, rendererDir: tempDir() })
  return { host, services }
}

async function call<T>(services: Services, channel: string, payload: unknown): Promise<T> {
  const result = await services.router.dispatch(channel, payload, ctx)
  if (!result.ok) throw new Error(`${result.error.code}: ${result.error.message}`)
  return result.value as T
}

function connect(url: string, origin?: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, origin ? { headers: { Origin: origin } } : {})
    ws.once('open', () => resolve(ws))
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)))
    ws.once('error', reject)
  })
}

function streamUrl(h: WebHost, id: string, token = h.token): string {
  return `${h.origin.replace('http', 'ws')}/recording-stream?token=${token}&id=${id}`
}

describe('web-mode recording stream and links', () => {
  it('streams binary chunks to a file authenticated like the RPC socket, then serves it with ranges', async () => {
    const { host, services } = await start()
    const { id, name } = await call<{ id: string; name: string }>(services, 'recording:start', request)
    const ws = await connect(streamUrl(host, id), host.origin)
    const frames: Array<Record<string, unknown>> = []
    ws.on('message', (data) => frames.push(JSON.parse(String(data)) as Record<string, unknown>))
    for (let at = 0; at < chromium.length; at += 5000) ws.send(chromium.subarray(at, at + 5000))
    ws.send(JSON.stringify({ t: 'end' }))
    const { entry } = await call<{ entry: { name: string; status: string; durationMs: number } }>(
      services,
      'recording:stop',
      { id },
    )
    expect(entry).toMatchObject({ name, status: 'ready' })
    expect(entry.durationMs).toBeGreaterThan(2400)
    expect(frames.filter((f) => f.t === 'ack').length).toBeGreaterThan(0)
    const onDisk = readFileSync(join(services.recordings.folder, name))

    const links = await call<{ play: string; download: string }>(services, 'recording:getLinks', { name })
    expect(links.play.startsWith(`${host.origin}/recordings/`)).toBe(true)
    expect(links.play).not.toContain(host.token)
    const full = await fetch(links.play)
    expect(full.status).toBe(200)
    expect(full.headers.get('content-type')).toBe('video/webm')
    expect(Buffer.from(await full.arrayBuffer())).toEqual(onDisk)
    const part = await fetch(links.play, { headers: { Range: 'bytes=100-199' } })
    expect(part.status).toBe(206)
    expect(part.headers.get('content-range')).toBe(`bytes 100-199/${onDisk.length}`)
    expect(Buffer.from(await part.arrayBuffer())).toEqual(onDisk.subarray(100, 200))
    const download = await fetch(links.download)
    expect(download.headers.get('content-disposition')).toBe(`attachment; filename="${name}"`)
    await download.arrayBuffer()
    const tampered = links.play.replace(/sig=./, (m) => (m.endsWith('A') ? 'sig=B' : 'sig=A'))
    expect((await fetch(tampered)).status).toBe(403)
    const otherFile = links.play.replace(encodeURIComponent(name), 'other.webm')
    expect((await fetch(otherFile)).status).toBe(403)
    ws.close()
  })

  it('refuses stream sockets without the token, from another origin, or for an unknown recording', async () => {
    const { host, services } = await start()
    const { id } = await call<{ id: string }>(services, 'recording:start', request)
    await expect(connect(streamUrl(host, id, 'wrong-token'), host.origin)).rejects.toThrow('HTTP 401')
    await expect(connect(streamUrl(host, id), 'http://evil.example')).rejects.toThrow('HTTP 403')
    await expect(connect(streamUrl(host, 'not an id'), host.origin)).rejects.toThrow('HTTP 400')
    // The refusal frame can arrive with the upgrade response itself: listen before 'open'.
    const frame = await new Promise<Record<string, unknown>>((resolve, reject) => {
      const stranger = new WebSocket(streamUrl(host, 'Zm9vYmFyYmF6cXV4cXV1eA'), {
        headers: { Origin: host.origin },
      })
      stranger.once('message', (data) => resolve(JSON.parse(String(data)) as Record<string, unknown>))
      stranger.once('error', reject)
    })
    expect(frame).toMatchObject({ t: 'error', code: 'not_found' })
    await call(services, 'recording:stop', { id })
  })

  it('finalises a running recording when the host shuts down', async () => {
    const { host: h, services } = await start()
    const { id, name } = await call<{ id: string; name: string }>(services, 'recording:start', request)
    const ws = await connect(streamUrl(h, id), h.origin)
    const acked = new Promise((resolve) => ws.once('message', resolve))
    ws.send(chromium.subarray(0, 20_000))
    await acked
    await h.close()
    host = undefined
    const list = await services.recordings.library.list()
    expect(list.find((e) => e.name === name)).toMatchObject({ status: 'ready' })
  })

  it('rejects expired links', async () => {
    const { services } = await makeServices()
    let now = 1_000_000
    const routes = createRecordingWebRoutes({
      services,
      token: 'launch-token',
      log: createLogger('test', [], new Redactor()),
      now: () => now,
    })
    const server = createServer((req, res) => {
      if (!routes.handleRequest(req, res)) res.writeHead(404).end()
    })
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()))
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    routes.setOrigin(origin)
    const { id, name } = await services.recordings.start({ ...request, source: 'meeting' })
    await services.recordings.stop(id).catch(() => null)
    // Nothing was recorded, so there is no file; make one so only the expiry decides.
    const { writeFileSync } = await import('node:fs')
    writeFileSync(join(services.recordings.folder, name), chromium)
    const links = await services.recordings.links(name)
    expect((await fetch(links.play!)).status).toBe(200)
    now += 13 * 60 * 60 * 1000
    expect((await fetch(links.play!)).status).toBe(403)
    await routes.close()
    server.close()
  })

  it('parses the byte ranges media elements send', () => {
    expect(parseRange(undefined, 100)).toBeNull()
    expect(parseRange('bytes=0-', 100)).toEqual([0, 99])
    expect(parseRange('bytes=10-19', 100)).toEqual([10, 19])
    expect(parseRange('bytes=90-500', 100)).toEqual([90, 99])
    expect(parseRange('bytes=-30', 100)).toEqual([70, 99])
    expect(parseRange('bytes=100-', 100)).toBe('invalid')
    expect(parseRange('bytes=5-1', 100)).toBe('invalid')
    expect(parseRange('bytes=0-1,5-6', 100)).toBe('invalid')
    expect(parseRange('items=0-1', 100)).toBe('invalid')
  })
})
