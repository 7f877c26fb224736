import { EventEmitter } from 'node:events'
import type { IpcMainEvent, MessagePortMain } from 'electron'
import { describe, expect, it } from 'vitest'
import { createLogger } from '../../../shared/log/logger'
import { Redactor } from '../../../shared/log/redact'
import type { ChunkConnection } from './ChunkConnection'
import { attachRecordingPorts, RECORDING_PORT_CHANNEL, type PortIpc } from './portTransport'

const log = createLogger('test', [], new Redactor())
const ID = 'Qk9PS19SRUNPUkRJTkdfMQ'

/** Just enough of MessagePortMain: an emitter of `message`/`close`, postMessage, start, close. */
class FakePort extends EventEmitter {
  readonly posted: unknown[] = []
  started = false
  closed = false
  postMessage(message: unknown): void {
    this.posted.push(message)
  }
  start(): void {
    this.started = true
  }
  close(): void {
    this.closed = true
    this.emit('close')
  }
  deliver(data: unknown): void {
    this.emit('message', { data, ports: [] })
  }
}

function fakeIpc() {
  const emitter = new EventEmitter()
  const ipc: PortIpc = {
    on: (channel, listener) => emitter.on(channel, listener),
    removeListener: (channel, listener) => emitter.removeListener(channel, listener),
  }
  const open = (message: unknown, port: FakePort): void => {
    emitter.emit(
      RECORDING_PORT_CHANNEL,
      { ports: [port as unknown as MessagePortMain] } as IpcMainEvent,
      message,
    )
  }
  return { ipc, open, listeners: () => emitter.listenerCount(RECORDING_PORT_CHANNEL) }
}

describe('recording ports (Electron transport)', () => {
  it('hands a trusted port to the service and turns its messages into chunks, end and close', () => {
    const { ipc, open, listeners } = fakeIpc()
    const attached: Array<{ id: string; conn: ChunkConnection }> = []
    const dispose = attachRecordingPorts({
      ipcMain: ipc,
      recordings: { attachStream: (id, conn) => void attached.push({ id, conn }) },
      isTrusted: () => true,
      log,
    })
    const port = new FakePort()
    open({ id: ID }, port)
    expect(attached.map((a) => a.id)).toEqual([ID])
    const events: string[] = []
    const chunks: number[][] = []
    attached[0]!.conn.listen({
      chunk: (bytes) => void chunks.push([...bytes]),
      end: () => void events.push('end'),
      close: () => void events.push('close'),
    })
    expect(port.started).toBe(true)
    port.deliver(Uint8Array.of(1, 2, 3).buffer)
    port.deliver(Uint8Array.of(9, 8, 7, 6).subarray(1, 3))
    port.deliver({ t: 'nonsense' })
    port.deliver({ t: 'end' })
    attached[0]!.conn.send({ t: 'ack', bytes: 5, durationMs: 0 })
    expect(port.posted).toEqual([{ t: 'ack', bytes: 5, durationMs: 0 }])
    port.close()
    port.close()
    expect(chunks).toEqual([
      [1, 2, 3],
      [8, 7],
    ])
    expect(events).toEqual(['end', 'close'])
    dispose()
    expect(listeners()).toBe(0)
  })

  it('closes ports from untrusted senders or without a valid id, without telling the service', () => {
    const { ipc, open } = fakeIpc()
    let trusted = false
    const attached: string[] = []
    attachRecordingPorts({
      ipcMain: ipc,
      recordings: { attachStream: (id) => void attached.push(id) },
      isTrusted: () => trusted,
      log,
    })
    const untrusted = new FakePort()
    open({ id: ID }, untrusted)
    trusted = true
    const badId = new FakePort()
    open({ id: '../../etc' }, badId)
    expect(untrusted.closed).toBe(true)
    expect(badId.closed).toBe(true)
    expect(attached).toEqual([])
  })
})
