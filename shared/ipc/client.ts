import { AppError } from '../errors/AppError'
import type { ConveneApi, IpcTransport } from './api'
import { apiPath, contract, eventNames, invokeNames, type EventName, type InvokeName } from './contract'
import { resultSchema } from './result'

/**
 * Build the typed API over a transport. Responses are checked against the contract (a main process that sends
 * something else is a bug we want to see as an error, not as `undefined` deep in the UI), and every call is bounded
 * by its channel's timeout.
 */
export function createClient(transport: IpcTransport): ConveneApi {
  const api: Record<string, Record<string, unknown>> = {}
  for (const name of invokeNames) {
    const [ns, method] = apiPath(name)
    ;(api[ns] ??= {})[method] = (request: unknown) => call(transport, name, request)
  }
  for (const name of eventNames) {
    const [ns, method] = apiPath(name)
    ;(api[ns] ??= {})[method] = (listener: (payload: unknown) => void) => subscribe(transport, name, listener)
  }
  return api as unknown as ConveneApi
}

async function call(transport: IpcTransport, name: InvokeName, request: unknown): Promise<unknown> {
  const channel = contract[name]
  let timer: ReturnType<typeof setTimeout> | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(AppError.timeout(`The request "${name}"`, channel.timeoutMs)),
      channel.timeoutMs,
    )
  })
  try {
    const raw = await Promise.race([transport.invoke(name, request), timeout])
    const parsed = resultSchema(channel.response).safeParse(raw)
    if (!parsed.success) throw AppError.internal(parsed.error)
    if (!parsed.data.ok) throw new AppError(parsed.data.error)
    return parsed.data.value
  } finally {
    clearTimeout(timer)
  }
}

function subscribe(
  transport: IpcTransport,
  name: EventName,
  listener: (payload: unknown) => void,
): () => void {
  const schema = contract[name].payload
  return transport.subscribe(name, (payload) => {
    const parsed = schema.safeParse(payload)
    // A malformed event is dropped rather than handed to UI code that trusts the type.
    if (parsed.success) listener(parsed.data)
  })
}
