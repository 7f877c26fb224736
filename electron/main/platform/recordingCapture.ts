import { desktopCapturer, shell, type Session } from 'electron'
import type { CaptureSource } from '../../../shared/recording/schemas'

/** Screens and windows for the recording source picker, with small thumbnails. */
export async function listCaptureSources(): Promise<CaptureSource[]> {
  const sources = await desktopCapturer.getSources({
    types: ['screen', 'window'],
    thumbnailSize: { width: 240, height: 135 },
    fetchWindowIcons: false,
  })
  return sources.map((s) => ({
    id: s.id,
    name: s.name.slice(0, 300),
    kind: s.id.startsWith('screen:') ? 'screen' : 'window',
    thumbnail: s.thumbnail.isEmpty() ? '' : s.thumbnail.toDataURL(),
  }))
}

export async function revealInFolder(path: string): Promise<boolean> {
  shell.showItemInFolder(path)
  return true
}

/**
 * Answer the renderer's `getDisplayMedia()` with the source the user picked in our picker
 * (`recording:selectSource`). On Wayland the portal already asked the user and `getSources` returns only that
 * one, so it is used directly. With no pick, the request is refused (the renderer shows the picker first).
 */
export function installDisplayMediaHandler(ses: Session, takeSelected: () => string | null): void {
  ses.setDisplayMediaRequestHandler((_request, callback) => {
    void (async () => {
      const picked = takeSelected()
      const sources = await desktopCapturer.getSources({ types: ['screen', 'window'] })
      const source = picked
        ? sources.find((s) => s.id === picked)
        : sources.length === 1
          ? sources[0]
          : undefined
      // Electron's typings want a source; an empty object is how a request is denied.
      callback(source ? { video: source } : {})
    })().catch(() => callback({}))
  })
}
