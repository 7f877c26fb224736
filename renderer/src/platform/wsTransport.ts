import { AppError } from '../../../shared/errors/AppError'
import type { IpcTransport } from '../../../shared/ipc/api'
import type { EventName, InvokeName } from '../../../shared/ipc/contract'
import { RPC_PATH, RpcServerFrame } from '../../../shared/ipc/wire'

/**
 * Web mode's stand-in for Electron IPC: calls and events over one WebSocket to the web host. Reconnects with
 * backoff when the host restarts; calls made while disconnected wait for the socket (bounded by the client's
 * per-channel timeout).
 */
export function createWsTransport(options: { origin: string; token: string }): IpcTransport {
  const listeners = new Map<string, Set<(payload: unknown) => void>>()
  const pending = new Map<number, (result: unknown) => void>()
  let nextId = 1
  let socket: WebSocket | undefined
  let open: Promise<WebSocket> | undefined
  let attempt = 0

  const connect = (): Promise<WebSocket> => {
    open ??= new Promise<WebSocket>((resolve, reject) => {
      const url = new URL(RPC_PATH, options.origin.replace(/^http/, 'ws'))
      url.searchParams.set('token', options.token)
      const ws = new WebSocket(url)
      ws.onopen = () => {
        attempt = 0
        socket = ws
        resolve(ws)
      }
      ws.onmessage = (message) => {
        let data: unknown
        try {
          data = JSON.parse(String(message.data))
        } catch {
          return
        }
        const frame = RpcServerFrame.safeParse(data)
        if (!frame.success) return
        if (frame.data.t === 'reply') {
          pending.get(frame.data.id)?.(frame.data.result)
          pending.delete(frame.data.id)
        } else {
          for (const listener of listeners.get(frame.data.channel) ?? []) listener(frame.data.payload)
        }
      }
      ws.onclose = () => {
        const wasOpen = socket === ws
        socket = undefined
        open = undefined
        for (const [id, settle] of pending) {
          settle({
            ok: false,
            error: { code: 'network', message: 'Lost the connection to Convene. Retrying…', retryable: true },
          })
          pending.delete(id)
        }
        if (!wasOpen)
          reject(
            new AppError({
              code: 'network',
              message: 'Cannot reach Convene. Is it still running?',
              retryable: true,
            }),
          )
        // Keep a socket up while anyone listens for events; back off to at most 5 s.
        if (listeners.size > 0) {
          const delay = Math.min(5000, 250 * 2 ** attempt++) * (0.5 + Math.random() / 2)
          setTimeout(() => void connect().catch(() => undefined), delay)
        }
      }
    })
    return open
  }

  return {
    async invoke(channel: InvokeName, payload: unknown): Promise<unknown> {
      const ws = socket ?? (await connect())
      const id = nextId++
      return new Promise((resolve) => {
        pending.set(id, resolve)
        ws.send(JSON.stringify({ t: 'call', id, channel, payload }))
      })
    },
    subscribe(channel: EventName, listener: (payload: unknown) => void): () => void {
      let set = listeners.get(channel)
      if (!set) listeners.set(channel, (set = new Set()))
      set.add(listener)
      void connect().catch(() => undefined)
      return () => {
        set.delete(listener)
        if (set.size === 0) listeners.delete(channel)
      }
    },
  }
}
