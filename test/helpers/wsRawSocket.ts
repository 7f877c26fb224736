import { WebSocket } from 'ws'
import type { RawSocket } from './roomTestClient'

/** Open a `ws` socket and adapt it to the suite's RawSocket. */
export async function openSocket(url: string): Promise<RawSocket> {
  const ws = new WebSocket(url)
  const messages: Array<(text: string) => void> = []
  const closes: Array<(code: number) => void> = []
  const early: string[] = []
  ws.on('message', (data) => {
    const text = (data as Buffer).toString('utf8')
    if (messages.length === 0) early.push(text)
    for (const fn of messages) fn(text)
  })
  ws.on('close', (code) => closes.forEach((fn) => fn(code)))
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve())
    ws.once('error', reject)
  })
  return {
    send: (text) => ws.readyState === ws.OPEN && ws.send(text),
    close: (code) => ws.close(code),
    onMessage: (fn) => {
      messages.push(fn)
      early.splice(0).forEach(fn)
    },
    onClose: (fn) => closes.push(fn),
  }
}
