import { ipcMain, type WebContents } from 'electron'
import { invokeNames } from '../../../shared/ipc/contract'
import type { EventHub } from './events'
import type { Router } from './router'
import { isTrustedSender } from './sender'

/**
 * Electron IPC in front of the router: one `ipcMain.handle` per contract channel, sender checked on every call,
 * events pushed only to our own windows. Returns a disposer.
 */
export function attachElectronTransport(options: {
  router: Router
  events: EventHub
  ownWindows: () => ReadonlySet<number>
  webContentsOf: () => readonly WebContents[]
  devServer?: string
}): () => void {
  const { router, events, ownWindows, devServer } = options
  for (const channel of invokeNames) {
    ipcMain.handle(channel, (event, payload: unknown) => {
      const frame = event.senderFrame
      const trusted = isTrustedSender(
        {
          frameUrl: frame?.url ?? null,
          isMainFrame: frame !== null && frame.parent === null,
          webContentsId: event.sender.id,
        },
        ownWindows(),
        devServer,
      )
      return router.dispatch(channel, payload, { senderId: `wc:${event.sender.id}`, trusted })
    })
  }
  const detach = events.attach((channel, payload) => {
    for (const contents of options.webContentsOf()) {
      if (!contents.isDestroyed()) contents.send(channel, payload)
    }
  })
  return () => {
    detach()
    for (const channel of invokeNames) ipcMain.removeHandler(channel)
  }
}
