import { startSfu } from '../../server/sfu'
import { createLogger } from '../../shared/log/logger'
import { Redactor } from '../../shared/log/redact'
import { runCallsContract } from '../helpers/callsContract'
import { wrtcSdpPeer } from '../helpers/wrtcSdpPeer'

// The Calls client contract (the same suite the fake Calls server passes), against the embedded SFU with real
// libwebrtc peers. WebSocket adapters and TURN are Cloudflare services the local SFU does not offer.
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
  { dataChannels: true },
)
