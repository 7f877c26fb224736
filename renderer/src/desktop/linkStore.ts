import { useSyncExternalStore } from 'react'

/**
 * What the last deep link said beyond its room: the server it named, or why it could not be opened. Kept in
 * memory only: a reload forgets it, as it should (the link was a one-time instruction).
 */
export interface LinkState {
  /** The server the link for `room` named; the lobby offers to switch to it, on a click. */
  readonly server: { readonly room: string; readonly url: string } | null
  /** Why the last link could not be opened, for the /link page. */
  readonly problem: string | null
}

let state: LinkState = { server: null, problem: null }
const listeners = new Set<() => void>()

function set(next: LinkState): void {
  state = next
  for (const listener of listeners) listener()
}

export const linkStore = {
  get: (): LinkState => state,
  openedRoom: (room: string, url: string | null): void =>
    set({ server: url === null ? null : { room, url }, problem: null }),
  failed: (problem: string): void => set({ server: null, problem }),
  dismissServer: (): void => set({ ...state, server: null }),
  subscribe: (listener: () => void): (() => void) => {
    listeners.add(listener)
    return () => void listeners.delete(listener)
  },
}

export function useLinkState(): LinkState {
  return useSyncExternalStore(linkStore.subscribe, linkStore.get)
}
