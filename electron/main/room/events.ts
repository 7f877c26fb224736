import type { DirectMessage, RoomChange, RoomView, ServerMessageOf } from '../../../shared/room/protocol'
import type { ConnectionState } from './connection'

export interface RoomStatus {
  readonly state: ConnectionState
  /** Reconnect attempts since the last welcome (0 while connected). */
  readonly attempt: number
  /** Why the connection closed or is retrying (a close reason or code), null while healthy. */
  readonly reason: string | null
  readonly participantId: string | null
}

export interface ChatStatus {
  readonly id: string
  /** `acked`: stored by the room (seq set). `failed`: the room refused it for good (code and message set). */
  readonly state: 'acked' | 'failed'
  readonly seq?: number
  readonly code?: string
  readonly message?: string
}

/** Events of `RoomClient` (STYLE.md rule 6). Listeners run through a safe emit: a throwing one is only logged. */
export type RoomClientEvents = {
  status: (status: RoomStatus) => void
  /** A whole view: after a welcome, a snapshot or a resync. */
  view: (view: RoomView) => void
  /** One change, already applied to the client's view. */
  delta: (delta: { readonly version: number; readonly change: RoomChange }) => void
  dm: (message: DirectMessage) => void
  chatStatus: (status: ChatStatus) => void
  reaction: (reaction: { readonly from: string; readonly emoji: string; readonly at: number }) => void
  /** A host told us to stop sending audio (`mute`) or camera video (`stopVideo`); the media engine must comply. */
  order: (order: { readonly order: ServerMessageOf<'order'>['order']; readonly by: string }) => void
}
