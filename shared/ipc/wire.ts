import { z } from 'zod'

/**
 * Frames of the web-mode RPC socket, the WebSocket stand-in for Electron IPC. Client → host: a call. Host →
 * client: the call's Result, or an event.
 */
export const RpcCall = z.object({
  t: z.literal('call'),
  id: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
  channel: z.string().max(100),
  payload: z.unknown(),
})
export type RpcCall = z.infer<typeof RpcCall>

export const RpcReply = z.object({ t: z.literal('reply'), id: z.number(), result: z.unknown() })
export const RpcEvent = z.object({ t: z.literal('event'), channel: z.string(), payload: z.unknown() })
export const RpcServerFrame = z.discriminatedUnion('t', [RpcReply, RpcEvent])
export type RpcServerFrame = z.infer<typeof RpcServerFrame>

/** Largest frame either side accepts, in bytes. Secrets and settings are small; later streams use their own. */
export const RPC_MAX_FRAME = 256 * 1024
export const RPC_PATH = '/rpc'
