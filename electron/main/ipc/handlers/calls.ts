import { CallsError, toAppError } from '../../calls/errors'
import type { CallsService } from '../../calls/createCallsService'
import type { Handlers } from '../router'

type CallsChannels =
  | 'calls:newSession'
  | 'calls:newTracks'
  | 'calls:renegotiate'
  | 'calls:closeTracks'
  | 'calls:updateTracks'
  | 'calls:getSession'
  | 'calls:establishDataChannels'
  | 'calls:newDataChannels'
  | 'calls:updateDataChannels'
  | 'calls:closeDataChannels'
  | 'turn:getIceServers'
  | 'diagnostics:getApiHistory'

/**
 * Run a client call and translate failures into the IPC envelope. A partial failure whose result still needs
 * the renderer's action (an SDP to apply, or items that did succeed) is returned as a value with `failures`
 * filled in; with nothing to act on it becomes a `track_error`. Everything else maps through `toAppError`.
 */
async function settle<T extends { failures: readonly unknown[] }>(call: () => Promise<T>): Promise<T> {
  try {
    return await call()
  } catch (error) {
    if (error instanceof CallsError && error.reason === 'partial_failure' && needsAction(error.partial)) {
      return error.partial as T
    }
    throw toAppError(error)
  }
}

function needsAction(partial: unknown): boolean {
  if (partial === null || typeof partial !== 'object') return false
  const result = partial as { sessionDescription?: unknown; failures?: unknown[] } & Record<string, unknown>
  if (result.sessionDescription !== undefined) return true
  const failed = result.failures?.length ?? 0
  const items = [result.tracks, result.dataChannels].find(Array.isArray) as unknown[] | undefined
  return (items?.length ?? 0) > failed
}

async function plain<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call()
  } catch (error) {
    throw toAppError(error)
  }
}

/** IPC handlers over the Calls and TURN clients. Requests arrive parsed; credentials never appear in them. */
export function callsHandlers(services: { readonly calls: CallsService }): Pick<Handlers, CallsChannels> {
  const { client, turn, history } = services.calls
  return {
    'calls:newSession': (request) => plain(() => client.newSession(request)),
    'calls:newTracks': (request) => settle(() => client.newTracks(request)),
    'calls:renegotiate': (request) => plain(() => client.renegotiate(request)),
    'calls:closeTracks': (request) => settle(() => client.closeTracks(request)),
    'calls:updateTracks': (request) => settle(() => client.updateTracks(request)),
    'calls:getSession': (request) => plain(() => client.getSession(request)),
    'calls:establishDataChannels': (request) => plain(() => client.establishDataChannels(request)),
    'calls:newDataChannels': (request) => settle(() => client.newDataChannels(request)),
    'calls:updateDataChannels': (request) => settle(() => client.updateDataChannels(request)),
    'calls:closeDataChannels': (request) => settle(() => client.closeDataChannels(request)),
    'turn:getIceServers': ({ forceRefresh }) =>
      plain(() => turn.getIceServers({ forBrowser: true, ...(forceRefresh ? { forceRefresh } : {}) })),
    'diagnostics:getApiHistory': ({ limit }) => ({
      entries: history.list(limit ?? history.capacity),
      capacity: history.capacity,
    }),
  }
}
