import { contextBridge, ipcRenderer } from 'electron'
import { apiPath, contract, eventNames, invokeNames } from '../../shared/ipc/contract'
import { openRecordingPort } from './recordingPort'

/*
 * Exposes `window.convene`, built from the contract: one named function per invoke channel, one `onX(cb)` per
 * event channel. Never `ipcRenderer` itself, never a generic invoke. Calls resolve with the Result envelope; the
 * renderer's platform/api.ts checks and unwraps it. Listeners receive only the payload, never the IPC event (it
 * would leak `sender`).
 */
const api: Record<string, Record<string, unknown>> = {}
for (const channel of invokeNames) {
  const [ns, method] = apiPath(channel)
  ;(api[ns] ??= {})[method] = (request: unknown) => ipcRenderer.invoke(channel, request)
}
for (const channel of eventNames) {
  const [ns, method] = apiPath(channel)
  ;(api[ns] ??= {})[method] = (listener: unknown) => {
    if (typeof listener !== 'function') throw new TypeError(`${ns}.${method} needs a function`)
    const wrapped = (_event: Electron.IpcRendererEvent, payload: unknown): void => {
      const parsed = contract[channel].payload.safeParse(payload)
      if (parsed.success) (listener as (p: unknown) => void)(parsed.data)
    }
    ipcRenderer.on(channel, wrapped)
    return () => void ipcRenderer.removeListener(channel, wrapped)
  }
}

// Recording chunks travel over a MessagePort, not invoke (issue 8): one narrow function opens it.
api['recordingStream'] = { open: openRecordingPort }

contextBridge.exposeInMainWorld('convene', api)
