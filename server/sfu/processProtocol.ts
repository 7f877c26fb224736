import { z } from 'zod'

/**
 * Messages between the app's main process and the local backend process (an Electron utilityProcess, or a
 * child_process.fork in tests). Parsed with these schemas at both ends.
 */
export const BackendMessage = z.discriminatedUnion('type', [
  /** The SFU listens: where, and the per-launch token every request must carry. */
  z.strictObject({
    type: z.literal('ready'),
    baseUrl: z.string().url().max(200),
    token: z.string().min(16).max(200),
    port: z.number().int().min(1).max(65_535),
  }),
  /** Startup failed; the process exits right after. */
  z.strictObject({ type: z.literal('fatal'), message: z.string().max(2000) }),
])
export type BackendMessage = z.infer<typeof BackendMessage>

export const SupervisorMessage = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('shutdown') }),
])
export type SupervisorMessage = z.infer<typeof SupervisorMessage>

/** Settings the supervisor passes to the backend in its environment (no secrets: the token is made there). */
export const BACKEND_ENV = {
  host: 'CONVENE_SFU_HOST',
  port: 'CONVENE_SFU_PORT',
  /** Comma-separated browser origins allowed to call the API directly (test and benchmark pages only). */
  corsOrigins: 'CONVENE_SFU_CORS_ORIGINS',
} as const
