import type { StreamServerFrame } from '../../../shared/recording/stream'

export interface ChunkHandlers {
  /** One MediaRecorder chunk, in the order the renderer sent them. */
  chunk(bytes: Uint8Array): void
  /** The renderer sent its last chunk. */
  end(): void
  /** The transport went away (renderer closed or crashed, socket dropped). Called at most once. */
  close(): void
}

/**
 * One renderer → main chunk stream, whatever carries it: the web-mode binary WebSocket or an Electron
 * MessagePort. Transports parse and size-check messages before calling the handlers.
 */
export interface ChunkConnection {
  listen(handlers: ChunkHandlers): void
  send(frame: StreamServerFrame): void
  close(): void
}
