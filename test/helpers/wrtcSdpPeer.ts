import type { SdpPeer } from './callsContract'
import { wrtc } from './wrtcClient'

/**
 * A real libwebrtc peer (@roamhq/wrtc) for the Calls contract against the embedded SFU: it applies every SDP it
 * is given, connects over ICE to 127.0.0.1 and runs DTLS, like the app's meeting engine.
 *
 * When it makes the first offer it starts with a receive-only audio m-line that it never closes: that first
 * m-line is the BUNDLE tag, and closing the tag makes libwebrtc move the bundle onto a new DTLS transport (with a
 * close alert on the old one), which ends the session. The meeting engine must keep its first m-line the same way.
 */
export function wrtcSdpPeer(): SdpPeer {
  const pc = new wrtc.RTCPeerConnection({ bundlePolicy: 'max-bundle' })
  const localSdp = (): string => pc.localDescription!.sdp
  return {
    async pushOffer(kinds) {
      if (pc.getTransceivers().length === 0 && !pc.remoteDescription)
        pc.addTransceiver('audio', { direction: 'recvonly' })
      const added = kinds.map((kind) => pc.addTransceiver(kind, { direction: 'sendonly' }))
      await pc.setLocalDescription(await pc.createOffer())
      return { sdp: localSdp(), mids: added.map((t) => t.mid!) }
    },
    async closeOffer(mids) {
      for (const t of pc.getTransceivers()) if (t.mid !== null && mids.includes(t.mid)) t.stop()
      await pc.setLocalDescription(await pc.createOffer())
      return localSdp()
    },
    async answer(offer) {
      await pc.setRemoteDescription({ type: 'offer', sdp: offer })
      await pc.setLocalDescription(await pc.createAnswer())
      return localSdp()
    },
    async acceptAnswer(answer) {
      await pc.setRemoteDescription({ type: 'answer', sdp: answer })
    },
    async close() {
      pc.close()
    },
  }
}
