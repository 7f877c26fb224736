import { z } from 'zod'
import { ErrorCode } from '../errors/AppError'
import { StopReason } from './schemas'

/**
 * The chunk stream from the renderer's MediaRecorder to main. Over a web-mode WebSocket or an Electron
 * MessagePort the messages are the same: binary messages are chunks, in order; objects (JSON text on the
 * socket) are control frames.
 */
export const RECORDING_STREAM_PATH = '/recording-stream'
/** Largest chunk accepted. A 1 s chunk of 1080p screen video is well under 2 MB; keyframes spike higher. */
export const RECORDING_MAX_CHUNK = 16 * 1024 * 1024

/** Renderer → main: no more chunks will follow. */
export const StreamClientFrame = z.discriminatedUnion('t', [z.object({ t: z.literal('end') }).strict()])
export type StreamClientFrame = z.infer<typeof StreamClientFrame>

/** Main → renderer. */
export const StreamServerFrame = z.discriminatedUnion('t', [
  /** Everything up to `bytes` is on disk. */
  z.object({ t: z.literal('ack'), bytes: z.number().int().nonnegative(), durationMs: z.number() }),
  /** Main ended the recording on its own (disk low); stop the MediaRecorder, the file is kept. */
  z.object({ t: z.literal('stopped'), reason: StopReason, message: z.string().max(500) }),
  z.object({ t: z.literal('error'), code: ErrorCode, message: z.string().max(500) }),
])
export type StreamServerFrame = z.infer<typeof StreamServerFrame>
