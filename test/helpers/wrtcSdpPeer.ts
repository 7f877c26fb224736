import { RTCPeerConnection } from 'werift'
import type { SdpPeer } from './callsContract'

/**
 * A real WebRTC peer for the Calls contract against the embedded SFU: it applies every SDP it is given, connects
 * over ICE to 127.0.0.1 and runs DTLS, like the app's meeting engine. It is werift (pure JS), not libwebrtc
 * (@roamhq/wrtc): the contract only needs SDP and transports, and wrtc's native threads crashed the vitest
 * worker with SIGSEGV about one run in six. Real media decoding stays in test/helpers/wrtcClient.ts.
 *
 * When it makes the first offer it starts with a receive-only audio m-line that it never closes: that first
 * m-line is the BUNDLE tag, and closing the tag makes libwebrtc move the bundle onto a new DTLS transport (with a
 * close alert on the old one), which ends the session. The meeting engine must keep its first m-line the same
 * way, and this peer offers the same shape.
 */
export function wrtcSdpPeer(): SdpPeer {
  const pc = new RTCPeerConnection({
    iceServers: [],
    iceUseIpv4: false,
    iceUseIpv6: false,
    iceAdditionalHostAddresses: ['127.0.0.1'],
    iceInterfaceAddresses: { udp4: '127.0.0.1' },
    iceStunGatherTimeout: 0,
    bundlePolicy: 'max-bundle',
  })
  const localSdp = (): string => {
    const local = pc.localDescription
    if (!local) throw new Error('no local description')
    return local.sdp
  }
  return {
    async pushOffer(kinds) {
      if (pc.getTransceivers().length === 0 && !pc.remoteDescription)
        pc.addTransceiver('audio', { direction: 'recvonly' })
      const added = kinds.map((kind) => pc.addTransceiver(kind, { direction: 'sendonly' }))
      await pc.setLocalDescription(await pc.createOffer())
      return {
        sdp: localSdp(),
        mids: added.map((t) => {
          if (t.mid === null) throw new Error('transceiver without a mid after the offer')
          return t.mid
        }),
      }
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
      await pc.close()
    },
  }
}
