import WebSocket from 'ws'
import type { InvokeName, RequestOf } from '../../shared/ipc/contract'
import { RPC_PATH } from '../../shared/ipc/wire'

export interface HostRpc {
  /** Resolves with the raw Result envelope (`{ ok, value }` or `{ ok: false, error }`). */
  call<K extends InvokeName>(
    channel: K,
    payload: RequestOf<K>,
  ): Promise<{ ok: boolean; value?: unknown; error?: unknown }>
  close(): void
}

/**
 * A second web-mode client for tests, outside the page: lets a test do what another part of the app would
 * (store a key before the page loads, feed caption audio) without that traffic appearing in the page's frames.
 */
export async function connectHostRpc(host: { origin: string; token: string }): Promise<HostRpc> {
  const url = new URL(RPC_PATH, host.origin.replace(/^http/, 'ws'))
  url.searchParams.set('token', host.token)
  const ws = new WebSocket(url)
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve())
    ws.once('error', reject)
  })
  let nextId = 1
  const pending = new Map<number, (result: { ok: boolean; value?: unknown; error?: unknown }) => void>()
  ws.on('message', (data) => {
    const frame = JSON.parse(String(data)) as { t: string; id?: number; result?: unknown }
    if (frame.t === 'reply' && frame.id !== undefined) {
      pending.get(frame.id)?.(frame.result as { ok: boolean })
      pending.delete(frame.id)
    }
  })
  return {
    call: (channel, payload) =>
      new Promise((resolve) => {
        const id = nextId++
        pending.set(id, resolve)
        ws.send(JSON.stringify({ t: 'call', id, channel, payload }))
      }),
    close: () => ws.close(),
  }
}
