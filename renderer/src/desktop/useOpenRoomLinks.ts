import { useEffect } from 'react'
import { useLocation } from 'wouter'
import type { OpenRoomRequest } from '../../../shared/desktop/deepLink'
import { api } from '../platform/api'
import { linkStore } from './linkStore'

/** Show what a link asked for: the room's lobby (joining stays a click there), or the reason it cannot open. */
export function openRoomRequest(request: OpenRoomRequest, navigate: (to: string) => void): void {
  switch (request.kind) {
    case 'room':
      linkStore.openedRoom(request.room, request.server ?? null)
      navigate(`/room/${request.room}`)
      return
    case 'invalid':
      linkStore.failed(request.message)
      navigate('/link')
      return
    default:
      request satisfies never
  }
}

/**
 * Follow links the OS hands to the desktop app (`convene://join/…`, https join links). Main keeps the latest link
 * until it is taken, so one that arrived before this page loaded (first launch, macOS open-url) is taken on mount;
 * later ones announce themselves with `app:openRoom`, and taking them (rather than using the event's copy) means a
 * reload never replays an old link. In web mode there are no links and this does nothing.
 */
export function useOpenRoomLinks(): void {
  const [, navigate] = useLocation()
  useEffect(() => {
    const take = (): void =>
      void api.app.takeOpenRoom({}).then(
        // No "unmounted" guard: StrictMode's second mount must not drop a link the first mount already took.
        ({ request }) => request && openRoomRequest(request, navigate),
        () => undefined,
      )
    take()
    return api.app.onOpenRoom(take)
  }, [navigate])
}

/** Mount once inside the router. */
export function OpenRoomLinks(): null {
  useOpenRoomLinks()
  return null
}
