import type { IpcMainEvent, MessagePortMain } from 'electron'
import type { Logger } from '../../../shared/log/logger'
import { RecordingId } from '../../../shared/recording/schemas'
import { RECORDING_MAX_CHUNK, StreamClientFrame } from '../../../shared/recording/stream'
import type { ChunkConnection } from './ChunkConnection'
import type { RecordingService } from './RecordingService'

/**
 * The preload sends `{ id }` with one transferred MessagePort on this channel to open a recording's chunk
 * stream. It is not a contract channel: it carries a port, not a request, and nothing answers it.
 */
export const RECORDING_PORT_CHANNEL = 'recording-stream:open'

/** What this needs from `ipcMain` (injected, so this file runs in plain Node tests). */
export interface PortIpc {
  on(channel: string, listener: (event: IpcMainEvent, message: unknown) => void): unknown
  removeListener(channel: string, listener: (event: IpcMainEvent, message: unknown) => void): unknown
}

/**
 * Electron's recording transport: chunks arrive over a MessagePort the renderer opened (via the preload's
 * `openRecordingPort`), so megabytes a minute never pass through the invoke/handle path and its JSON-ish
 * cloning and rate limit. The sender is checked like every IPC call. Returns a disposer.
 */
export function attachRecordingPorts(options: {
  ipcMain: PortIpc
  recordings: Pick<RecordingService, 'attachStream'>
  isTrusted: (event: IpcMainEvent) => boolean
  log: Logger
}): () => void {
  const listener = (event: IpcMainEvent, message: unknown): void => {
    const [port] = event.ports
    if (!port) return
    const id = RecordingId.safeParse((message as { id?: unknown } | null)?.id)
    if (!options.isTrusted(event) || !id.success) {
      options.log.warn('refused a recording port', { trusted: options.isTrusted(event), validId: id.success })
      port.close()
      return
    }
    options.recordings.attachStream(id.data, portConnection(port, options.log))
  }
  options.ipcMain.on(RECORDING_PORT_CHANNEL, listener)
  return () => void options.ipcMain.removeListener(RECORDING_PORT_CHANNEL, listener)
}

/** A MessagePortMain as a ChunkConnection: binary messages are chunks, objects are control frames. */
export function portConnection(port: MessagePortMain, log: Logger): ChunkConnection {
  let closed = false
  return {
    listen(handlers) {
      port.on('message', ({ data }) => {
        const bytes = asBytes(data)
        if (bytes) {
          if (bytes.length > RECORDING_MAX_CHUNK) {
            log.warn('dropped an oversized recording chunk', { bytes: bytes.length })
            return
          }
          handlers.chunk(bytes)
          return
        }
        if (StreamClientFrame.safeParse(data).success) handlers.end()
        else log.warn('dropped an unreadable recording control frame')
      })
      port.on('close', () => {
        if (closed) return
        closed = true
        handlers.close()
      })
      port.start()
    },
    send(frame) {
      if (!closed) port.postMessage(frame)
    },
    close() {
      if (closed) return
      closed = true
      port.close()
    },
  }
}

function asBytes(data: unknown): Uint8Array | null {
  if (data instanceof ArrayBuffer) return new Uint8Array(data)
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
  return null
}
