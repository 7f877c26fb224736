import { SfuApi } from './sfuApi'
import { WrtcClient } from './wrtcClient'

/**
 * A publisher in its own process, for tests that kill it (SIGKILL: no DTLS close alert, no goodbye, like a
 * crash or a pulled cable). Run with `fork(..., { execArgv: ['--import', 'tsx'] })`; it sends
 * `{ sessionId }` once its video is published, then waits to be killed.
 */
process.once('message', (raw) => {
  const { baseUrl, token } = raw as { baseUrl: string; token: string }
  void WrtcClient.connect(new SfuApi(baseUrl, token)).then(async (client) => {
    await client.pushVideo('cam')
    process.send?.({ sessionId: client.sessionId })
  })
})
