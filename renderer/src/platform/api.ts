import type { BridgeApi, ConveneApi, IpcTransport } from '../../../shared/ipc/api'
import { apiPath } from '../../../shared/ipc/contract'
import { createClient } from '../../../shared/ipc/client'
import { createWsTransport } from './wsTransport'

declare global {
  interface Window {
    /** Set by the Electron preload; absent in web mode. */
    readonly convene?: BridgeApi
  }
}

const TOKEN_KEY = 'convene.webToken'

/** Adapts the preload's named functions to a transport, so one client serves both shells. */
function bridgeTransport(bridge: BridgeApi): IpcTransport {
  const lookup = (name: Parameters<typeof apiPath>[0]) => {
    const [ns, method] = apiPath(name)
    const fn = (bridge as unknown as Record<string, Record<string, unknown>>)[ns]?.[method]
    if (typeof fn !== 'function') throw new TypeError(`window.convene has no ${ns}.${method}`)
    return fn as (arg: unknown) => unknown
  }
  return {
    invoke: async (channel, payload) => lookup(channel)(payload),
    subscribe: (channel, listener) => lookup(channel)(listener) as () => void,
  }
}

/**
 * The web host hands out its launch token in the URL fragment. Keep it for this tab (reloads included) and
 * remove it from the address bar so it is not shared with a screenshot or a copied link.
 */
function takeWebToken(): string {
  const match = /(?:^#|&)token=([A-Za-z0-9_-]+)/.exec(window.location.hash)
  if (match?.[1]) {
    sessionStorage.setItem(TOKEN_KEY, match[1])
    window.history.replaceState(null, '', `${window.location.pathname}#/`)
  }
  return sessionStorage.getItem(TOKEN_KEY) ?? ''
}

/** The web host's launch token for this tab ('' in the desktop shell); the recording stream presents it too. */
export function webToken(): string {
  return window.convene ? '' : (sessionStorage.getItem(TOKEN_KEY) ?? '')
}

function createApi(): ConveneApi {
  if (window.convene) return createClient(bridgeTransport(window.convene))
  return createClient(createWsTransport({ origin: window.location.origin, token: takeWebToken() }))
}

/** The only module that touches `window.convene` or the web socket. */
export const api: ConveneApi = createApi()
