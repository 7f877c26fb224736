import { vi } from 'vitest'
import type { Platform, Services } from '../../../electron/main/app/services'
import type { RoomMeetingContext } from '../../../electron/main/ai/RoomMeetingContext'
import type { EventName, InvokeName, LogEntry, PayloadOf, RequestOf } from '../../../shared/ipc/contract'
import { makeServices, tempDir } from '../services'
import { startOpenAiStub, type OpenAiStub } from './OpenAiStub'

/** A key-shaped secret that only ever exists in tests; it must never show up in events or logs. */
export const TEST_KEY = 'sk-test-AIkey-7f3a9c1e5b2d4f6a8c0e'

export interface AiKit {
  readonly stub: OpenAiStub
  readonly services: Services
  readonly dataDir: string
  readonly logs: LogEntry[]
  readonly events: Array<{ channel: EventName; payload: unknown }>
  readonly waits: number[]
  readonly meeting: RoomMeetingContext
  call<K extends InvokeName>(channel: K, payload: RequestOf<K>): ReturnType<Services['router']['dispatch']>
  /** Events of one channel for one request id, in order. */
  of<K extends EventName>(channel: K, requestId?: string): Array<PayloadOf<K>>
  /** Wait until the request ended (done or error) and return its end event. */
  end(
    requestId: string,
  ): Promise<{ channel: 'ai:done' | 'ai:error'; payload: PayloadOf<'ai:done'> | PayloadOf<'ai:error'> }>
  close(): Promise<void>
}

/**
 * Real services (vault, settings, router, event hub) in a temp dir, pointed at a fresh OpenAI stub through
 * settings, with the key in the vault. Retry waits are recorded in `waits` and skipped, so tests see that
 * Retry-After was honoured without waiting for it.
 */
export async function aiKit(
  options: { key?: string | null; platform?: Partial<Platform>; assistant?: boolean } = {},
): Promise<AiKit> {
  const stub = await startOpenAiStub({ expectedKey: TEST_KEY })
  const waits: number[] = []
  const { services, dataDir, logs } = await makeServices(tempDir('convene-ai-'), {
    ai: {
      sleep: async (ms) => {
        waits.push(ms)
      },
      timeouts: { slowMs: 100, firstTokenMs: 2000, idleMs: 2000 },
    },
    ...options.platform,
  })
  const events: AiKit['events'] = []
  services.events.attach((channel, payload) => events.push({ channel, payload }))
  const call: AiKit['call'] = (channel, payload) =>
    services.router.dispatch(channel, payload, { senderId: 'test', trusted: true })
  // The server first, then the key: a key is bound to the AI server in effect when it is saved.
  await call('settings:update', { patch: { ai: { baseUrl: stub.baseURL } } })
  if (options.key !== null) {
    const stored = await call('vault:setSecret', { name: 'openaiApiKey', value: options.key ?? TEST_KEY })
    if (!stored.ok) throw new Error(`could not store the test key: ${stored.error.message}`)
  }
  if (options.assistant !== false) await call('ai:setEnabled', { assistant: true })
  const of = <K extends EventName>(channel: K, requestId?: string): Array<PayloadOf<K>> =>
    events
      .filter((e) => e.channel === channel)
      .map((e) => e.payload as PayloadOf<K>)
      .filter((p) => requestId === undefined || (p as { requestId?: string }).requestId === requestId)
  return {
    stub,
    services,
    dataDir,
    logs,
    events,
    waits,
    meeting: services.meetingContext as RoomMeetingContext,
    call,
    of,
    end: async (requestId) =>
      vi.waitFor(
        () => {
          const found = events.find(
            (e) =>
              (e.channel === 'ai:done' || e.channel === 'ai:error') &&
              (e.payload as { requestId: string }).requestId === requestId,
          )
          if (!found) throw new Error(`request ${requestId} has not ended`)
          return found as Awaited<ReturnType<AiKit['end']>>
        },
        { timeout: 10_000, interval: 10 },
      ),
    close: async () => {
      services.ai.close()
      await stub.close()
    },
  }
}

/** Everything main sent to the renderer and logged, as one string, for leak checks. */
export function everythingVisible(kit: AiKit): string {
  return JSON.stringify(kit.events) + JSON.stringify(kit.logs)
}

let counter = 0
export function rid(): string {
  return `req_${String(++counter).padStart(6, '0')}`
}
