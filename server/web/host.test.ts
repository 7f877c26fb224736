import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { makeServices, tempDir } from '../../test/helpers/services'
import { startWebHost, type WebHost } from './host'

let host: WebHost | undefined
afterEach(async () => {
  await host?.close()
  host = undefined
})

async function start() {
  const { services } = await makeServices()
  const rendererDir = tempDir()
  mkdirSync(rendererDir, { recursive: true })
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>Convene</title>')
  host = await startWebHost({ services, rendererDir })
  return { host, services }
}

function connect(url: string, headers: Record<string, string> = {}): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers })
    ws.once('open', () => resolve(ws))
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)))
    ws.once('error', reject)
  })
}

function nextFrame(ws: WebSocket): Promise<Record<string, unknown>> {
  return new Promise((resolve) =>
    ws.once('message', (data) => resolve(JSON.parse(String(data)) as Record<string, unknown>)),
  )
}

describe('web-mode host', () => {
  it('serves the renderer with a strict CSP', async () => {
    const { host } = await start()
    const res = await fetch(`${host.origin}/settings`)
    expect(res.status).toBe(200)
    expect(await res.text()).toContain('<title>Convene</title>')
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'")
  })

  it('refuses requests that name another host (DNS rebinding)', async () => {
    const { host } = await start()
    const { request } = await import('node:http')
    const status = await new Promise<number | undefined>((resolve) => {
      const req = request(`${host.origin}/`, { headers: { Host: 'evil.example:80' } }, (res) =>
        resolve(res.statusCode),
      )
      req.end()
    })
    expect(status).toBe(421)
    await expect(
      connect(`${host.origin.replace('http', 'ws')}/rpc?token=${host.token}`, { Host: 'evil.example' }),
    ).rejects.toThrow('HTTP 403')
  })

  it('refuses sockets without the launch token or from another origin', async () => {
    const { host } = await start()
    const ws = host.origin.replace('http', 'ws')
    await expect(connect(`${ws}/rpc`)).rejects.toThrow('HTTP 401')
    await expect(connect(`${ws}/rpc?token=wrong`)).rejects.toThrow('HTTP 401')
    await expect(
      connect(`${ws}/rpc?token=${host.token}`, { Origin: 'https://evil.example' }),
    ).rejects.toThrow('HTTP 403')
    const ok = await connect(`${ws}/rpc?token=${host.token}`, { Origin: host.origin })
    ok.close()
  })

  it('runs calls through the router and pushes events', async () => {
    const { host } = await start()
    const ws = await connect(`${host.origin.replace('http', 'ws')}/rpc?token=${host.token}`)
    ws.send(JSON.stringify({ t: 'call', id: 1, channel: 'app:getInfo', payload: {} }))
    expect(await nextFrame(ws)).toMatchObject({
      t: 'reply',
      id: 1,
      result: { ok: true, value: { shell: 'web' } },
    })

    const frames: Array<Record<string, unknown>> = []
    ws.on('message', (d) => frames.push(JSON.parse(String(d)) as Record<string, unknown>))
    ws.send(
      JSON.stringify({
        t: 'call',
        id: 2,
        channel: 'settings:update',
        payload: { patch: { displayName: 'Ada' } },
      }),
    )
    await expect.poll(() => frames.length).toBe(2)
    expect(frames.find((f) => f['t'] === 'event')).toMatchObject({
      channel: 'settings:changed',
      payload: { displayName: 'Ada' },
    })
    expect(frames.find((f) => f['t'] === 'reply')).toMatchObject({ id: 2, result: { ok: true } })
    ws.close()
  })

  it('survives garbage frames and answers bad payloads with invalid_request', async () => {
    const { host } = await start()
    const ws = await connect(`${host.origin.replace('http', 'ws')}/rpc?token=${host.token}`)
    for (const junk of ['not json', '{"t":"call"}', '[]', 'null', '{"t":"call","id":-1,"channel":"x"}'])
      ws.send(junk)
    ws.send(Buffer.from([0, 1, 2]), { binary: true })
    ws.send(
      JSON.stringify({
        t: 'call',
        id: 7,
        channel: 'settings:update',
        payload: { patch: { displayName: 5 } },
      }),
    )
    const reply = await new Promise<Record<string, unknown>>((resolve) =>
      ws.on('message', (d) => {
        const frame = JSON.parse(String(d)) as Record<string, unknown>
        if (frame['t'] === 'reply') resolve(frame)
      }),
    )
    expect(reply).toMatchObject({ id: 7, result: { ok: false, error: { code: 'invalid_request' } } })
    ws.close()
  })
})
