import { AppError } from '../../../shared/errors/AppError'
import {
  RECORDING_STREAM_PATH,
  StreamServerFrame,
  type StreamClientFrame,
} from '../../../shared/recording/stream'
import { webToken } from './api'

/**
 * Where the recorder's chunks go: main, over a MessagePort (desktop) or a binary WebSocket (web mode). Chunks
 * are sent in order; `end()` says no more follow. Frames from main (acks, "stopped: disk low") come back
 * through `onFrame`.
 */
export interface ChunkSink {
  write(chunk: ArrayBuffer): void
  end(): void
  onFrame(listener: (frame: StreamServerFrame) => void): () => void
  /** Bytes the transport holds that main has not received yet (web mode); 0 where unknown. */
  readonly buffered: number
  close(): void
}

export type OpenChunkSink = (id: string) => Promise<ChunkSink>

/** What the preload adds beside the contract API (electron/preload/recordingPort.ts). */
interface RecordingStreamBridge {
  open(id: string): void
}

const PORT_MESSAGE = 'convene:recording-port'
const OPEN_TIMEOUT_MS = 10_000

/** The sink for this shell. */
export const openChunkSink: OpenChunkSink = (id) => {
  const bridge = (window.convene as unknown as { recordingStream?: RecordingStreamBridge } | undefined)
    ?.recordingStream
  return bridge ? openPortSink(bridge, id) : openSocketSink(window.location.origin, webToken(), id)
}

function frameListeners() {
  const listeners = new Set<(frame: StreamServerFrame) => void>()
  return {
    add(listener: (frame: StreamServerFrame) => void): () => void {
      listeners.add(listener)
      return () => void listeners.delete(listener)
    },
    emit(raw: unknown): void {
      const frame = StreamServerFrame.safeParse(raw)
      if (!frame.success) return
      for (const listener of listeners) listener(frame.data)
    },
  }
}

/** Web mode: a WebSocket on the host's recording path, authenticated with the launch token like the RPC one. */
export function openSocketSink(origin: string, token: string, id: string): Promise<ChunkSink> {
  const url = new URL(RECORDING_STREAM_PATH, origin.replace(/^http/, 'ws'))
  url.searchParams.set('token', token)
  url.searchParams.set('id', id)
  const ws = new WebSocket(url)
  ws.binaryType = 'arraybuffer'
  const frames = frameListeners()
  ws.onmessage = (message) => {
    if (typeof message.data !== 'string') return
    try {
      frames.emit(JSON.parse(message.data))
    } catch {
      // Not JSON: not a frame of ours.
    }
  }
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      ws.close()
      reject(AppError.timeout('Connecting the recorder to Convene', OPEN_TIMEOUT_MS))
    }, OPEN_TIMEOUT_MS)
    ws.onopen = () => {
      clearTimeout(timer)
      ws.onclose = () =>
        frames.emit({
          t: 'error',
          code: 'network',
          message: 'Lost the connection to Convene while recording.',
        })
      resolve({
        write: (chunk) => {
          if (ws.readyState === WebSocket.OPEN) ws.send(chunk)
        },
        end: () => {
          if (ws.readyState === WebSocket.OPEN)
            ws.send(JSON.stringify({ t: 'end' } satisfies StreamClientFrame))
        },
        onFrame: frames.add,
        get buffered() {
          return ws.bufferedAmount
        },
        close: () => {
          ws.onclose = null
          ws.close(1000)
        },
      })
    }
    ws.onerror = () => {
      clearTimeout(timer)
      reject(
        new AppError({
          code: 'network',
          message: 'Could not connect the recorder to Convene.',
          retryable: true,
        }),
      )
    }
  })
}

/** Desktop: the preload opens a MessageChannel, gives one end to main and posts the other to this page. */
function openPortSink(bridge: RecordingStreamBridge, id: string): Promise<ChunkSink> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      window.removeEventListener('message', onMessage)
      reject(AppError.timeout('Connecting the recorder to Convene', OPEN_TIMEOUT_MS))
    }, OPEN_TIMEOUT_MS)
    const onMessage = (event: MessageEvent): void => {
      const data = event.data as { type?: unknown; id?: unknown } | null
      // Only our own preload posts this, into our own window.
      if (event.source !== window || data?.type !== PORT_MESSAGE || data.id !== id) return
      const port = event.ports[0]
      if (!port) return
      clearTimeout(timer)
      window.removeEventListener('message', onMessage)
      const frames = frameListeners()
      port.onmessage = (message) => frames.emit(message.data)
      port.start()
      resolve({
        write: (chunk) => port.postMessage(chunk, [chunk]),
        end: () => port.postMessage({ t: 'end' } satisfies StreamClientFrame),
        onFrame: frames.add,
        buffered: 0,
        close: () => port.close(),
      })
    }
    window.addEventListener('message', onMessage)
    try {
      bridge.open(id)
    } catch (error) {
      clearTimeout(timer)
      window.removeEventListener('message', onMessage)
      reject(AppError.from(error))
    }
  })
}
