import { z } from 'zod'
import {
  DirectMessage,
  DisplayName,
  HostAction,
  ParticipantId,
  RoomChange,
  RoomName,
  RoomView,
  TrackDirectory,
  WireId,
} from './protocol'

/** IPC schemas of the `room:*` channels (issue 6). Main holds the socket; the renderer sees views and events. */

const SocketUrl = z
  .string()
  .max(2048)
  .refine((raw) => {
    try {
      const url = new URL(raw)
      return (url.protocol === 'ws:' || url.protocol === 'wss:') && !url.username && !url.password
    } catch {
      return false
    }
  }, 'must be a ws:// or wss:// address')

export const JoinRoomRequest = z
  .object({
    room: RoomName,
    name: DisplayName,
    ai: z.boolean().optional(),
    /** Override where to connect (development, tests); otherwise main derives it from the backend settings. */
    url: SocketUrl.optional(),
    token: z.string().max(4096).optional(),
  })
  .strict()
export type JoinRoomRequest = z.infer<typeof JoinRoomRequest>

export const RoomConnectionState = z.enum([
  'idle',
  'connecting',
  'joining',
  'waiting',
  'joined',
  'reconnecting',
  'closed',
])

export const RoomStatusEvent = z.object({
  room: RoomName.nullable(),
  state: RoomConnectionState,
  attempt: z.number().int().nonnegative(),
  reason: z.string().max(200).nullable(),
  participantId: ParticipantId.nullable(),
})
export type RoomStatusEvent = z.infer<typeof RoomStatusEvent>

export const JoinRoomResponse = z.object({
  status: z.enum(['joined', 'waiting']),
  participantId: ParticipantId,
  view: RoomView.nullable(),
})

export const RoomClientState = z.object({
  status: RoomStatusEvent,
  view: RoomView.nullable(),
  /** Chat ids not yet acknowledged by the room (kept across restarts). */
  pending: z.array(WireId),
})

export const SendChatRequest = z
  .object({ text: z.string().trim().min(1).max(4000), to: ParticipantId.optional() })
  .strict()

export const RoomDeltaEvent = z.object({ version: z.number().int(), change: RoomChange })

export const ChatStatusEvent = z.object({
  id: WireId,
  state: z.enum(['acked', 'failed']),
  seq: z.number().int().optional(),
  code: z.string().max(40).optional(),
  message: z.string().max(500).optional(),
})

export const RoomSignal = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('reaction'), from: ParticipantId, emoji: z.string().max(16), at: z.number() }),
  /** The room's host told us to stop sending; the meeting engine must mute or stop the camera. */
  z.object({
    kind: z.literal('order'),
    order: z.enum(['mute', 'stopVideo', 'stopRecording']),
    by: ParticipantId,
  }),
])

export { DirectMessage, HostAction, RoomView, TrackDirectory }
