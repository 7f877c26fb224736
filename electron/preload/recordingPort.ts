import { ipcRenderer } from 'electron'

/** Must match RECORDING_PORT_CHANNEL in electron/main/recording/portTransport.ts. */
const RECORDING_PORT_CHANNEL = 'recording-stream:open'
/** The message type the page listens for to receive its end of the port. */
export const RECORDING_PORT_MESSAGE = 'convene:recording-port'
const ID = /^[A-Za-z0-9_-]{16,64}$/

/** The page's window, as the preload sees it (the preload is type-checked without the DOM library). */
interface PageWindow {
  readonly location: { readonly origin: string }
  postMessage(message: unknown, targetOrigin: string, transfer: unknown[]): void
}

/**
 * `window.convene.recordingStream.open(id)`: make a MessageChannel, send one end to main with the recording id
 * (ipcRenderer.postMessage transfer) and hand the other end to the page with window.postMessage, the way the
 * Electron docs pass ports into a context-isolated main world. Nothing else about IPC is exposed.
 */
export function openRecordingPort(id: unknown): void {
  if (typeof id !== 'string' || !ID.test(id)) throw new TypeError('recordingStream.open needs a recording id')
  const { port1, port2 } = new MessageChannel()
  ipcRenderer.postMessage(RECORDING_PORT_CHANNEL, { id }, [port2])
  const page = globalThis as unknown as PageWindow
  page.postMessage({ type: RECORDING_PORT_MESSAGE, id }, page.location.origin, [port1])
}
