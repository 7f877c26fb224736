import { startSfu } from '../../server/sfu'
import { createLogger } from '../../shared/log/logger'
import { Redactor } from '../../shared/log/redact'
import { runCallsContract } from '../helpers/callsContract'
import { wrtcSdpPeer } from '../helpers/wrtcSdpPeer'

// The Calls client contract (the same suite the fake Calls server passes), against the embedded SFU with real
// werift peers. WebSocket adapters and TURN are Cloudflare services the local SFU does not offer. The peers share the
// SFU's JavaScript thread, so an attempt gets 2 s instead of the suite's 0.4 s on a loaded 2-core machine.
runCallsContract(
  'embedded local SFU',
  async () => {
    const sfu = await startSfu({ log: createLogger('sfu', [], new Redactor()) })
    return {
      kind: 'local',
      calls: { baseUrl: sfu.baseUrl, token: sfu.token },
      newPeer: () => wrtcSdpPeer(),
      close: () => sfu.close(),
    }
  },
  { dataChannels: true, policy: { attemptTimeoutMs: 2_000, deadlineMs: 10_000 } },
)
