import { SELF } from 'cloudflare:test'
import type { RawSocket } from '../../../test/helpers/roomTestClient'

/** Open a room socket through the Worker's router, as a client would, and adapt it for the suite. */
export async function openRoomSocket(room: string): Promise<RawSocket> {
  const res = await SELF.fetch(`http://convene.test/rooms/${room}/socket`, {
    headers: { upgrade: 'websocket' },
  })
  const ws = res.webSocket
  if (res.status !== 101 || !ws) throw new Error(`socket refused: ${res.status} ${await res.text()}`)
  ws.accept()
  const early: string[] = []
  let onText: ((text: string) => void) | null = null
  ws.addEventListener('message', (e) => {
    const text = typeof e.data === 'string' ? e.data : new TextDecoder().decode(e.data as ArrayBuffer)
    if (onText) onText(text)
    else early.push(text)
  })
  return {
    send: (text) => {
      try {
        ws.send(text)
      } catch {
        // Closed by the room already; the test sees the close event.
      }
    },
    close: (code) => ws.close(code ?? 1000),
    onMessage: (fn) => {
      onText = fn
      early.splice(0).forEach(fn)
    },
    onClose: (fn) => ws.addEventListener('close', (e) => fn(e.code)),
  }
}
