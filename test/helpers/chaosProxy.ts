import { createConnection, createServer, type Server, type Socket } from 'node:net'
import type { AddressInfo } from 'node:net'

/**
 * A TCP proxy on 127.0.0.1 for chaos tests: passes bytes both ways, and on demand swallows everything the server
 * sends (its acks get lost while the client's frames still arrive) or cuts every connection at once (a network
 * drop). Each client connection gets a fresh upstream connection to `targetPort`.
 */
export interface ChaosProxy {
  readonly port: number
  /** Stop forwarding server → client bytes (they are dropped, not delayed). */
  blackholeDownstream(on: boolean): void
  /** Destroy every open connection, both sides, without a close handshake. */
  cutAll(): void
  close(): Promise<void>
}

export async function startChaosProxy(targetPort: number): Promise<ChaosProxy> {
  const pairs = new Set<[Socket, Socket]>()
  let blackhole = false
  const server: Server = createServer((client) => {
    const upstream = createConnection({ host: '127.0.0.1', port: targetPort })
    const pair: [Socket, Socket] = [client, upstream]
    pairs.add(pair)
    const drop = () => {
      pairs.delete(pair)
      client.destroy()
      upstream.destroy()
    }
    client.on('data', (chunk) => upstream.write(chunk))
    upstream.on('data', (chunk) => {
      if (!blackhole) client.write(chunk)
    })
    for (const s of pair) {
      s.on('error', drop)
      s.on('close', drop)
    }
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()))
  return {
    port: (server.address() as AddressInfo).port,
    blackholeDownstream: (on) => void (blackhole = on),
    cutAll: () => {
      for (const [a, b] of [...pairs]) {
        a.destroy()
        b.destroy()
      }
      pairs.clear()
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const [a, b] of pairs) {
          a.destroy()
          b.destroy()
        }
        server.close(() => resolve())
      }),
  }
}
