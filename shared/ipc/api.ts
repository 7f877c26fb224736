import type { Contract, EventName, InvokeName, PayloadOf, RequestOf, ResponseOf } from './contract'
import type { Result } from './result'

type Namespace<K extends string> = K extends `${infer NS}:${string}` ? NS : never
type Method<K extends string, NS extends string> = K extends `${NS}:${infer M}` ? M : never

/**
 * The renderer-facing API derived from the contract: `api.settings.update({ patch })` resolves with the value or
 * rejects with an `AppError`; `api.settings.onChanged(cb)` returns its own disposer.
 */
export type ConveneApi = {
  readonly [NS in Namespace<keyof Contract & string>]: {
    readonly [K in InvokeName as Method<K, NS>]: (request: RequestOf<K>) => Promise<ResponseOf<K>>
  } & {
    readonly [K in EventName as K extends `${NS}:${infer M}` ? `on${Capitalize<M>}` : never]: (
      listener: (payload: PayloadOf<K>) => void,
    ) => () => void
  }
}

/**
 * What the preload puts on `window.convene`: the same names, but calls resolve with the raw `Result` envelope,
 * because Error objects lose their fields when they cross the context bridge. The renderer checks and unwraps it.
 */
export type BridgeApi = {
  readonly [NS in Namespace<keyof Contract & string>]: {
    readonly [K in InvokeName as Method<K, NS>]: (request: RequestOf<K>) => Promise<Result<ResponseOf<K>>>
  } & {
    readonly [K in EventName as K extends `${NS}:${infer M}` ? `on${Capitalize<M>}` : never]: (
      listener: (payload: PayloadOf<K>) => void,
    ) => () => void
  }
}

/** How a client reaches main: Electron IPC through the preload, or the web-mode WebSocket. */
export interface IpcTransport {
  /** Resolves with the untrusted envelope; the client validates it. */
  invoke(channel: InvokeName, payload: unknown): Promise<unknown>
  subscribe(channel: EventName, listener: (payload: unknown) => void): () => void
}
