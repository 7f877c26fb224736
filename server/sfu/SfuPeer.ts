import { RTCPeerConnection, type RTCDtlsTransport, type RtcpPacket, type RTCRtpTransceiver } from 'werift'
import type { SessionDescription } from '../../shared/calls/schemas'
import type { Logger } from '../../shared/log/logger'
import { CallsApiError } from './errors'
import { coalesceConnect, followNomination, resumeIceAfterRestart } from './iceLite'
import { alignNewTransceivers, peerConfig } from './peerConfig'
import { stripRejectedFromBundle } from './sdp'
import { watchTransport } from './transportWatch'

export interface SfuPeerEvents {
  /** Any datagram or STUN check from the client. */
  readonly onInbound: () => void
  /** The transport came up (again). */
  readonly onConnected: () => void
  /** The PeerConnection or its DTLS transport closed or failed: the session is over. */
  readonly onGone: (reason: string) => void
  readonly onKeyframeRequest: (mediaSsrc: number) => void
  readonly onReceiveEstimate: (bps: number) => void
  readonly onTestDrop: () => void
}

/**
 * The SFU's werift PeerConnection for one session, with every werift workaround in one place: ICE lite bound to
 * one address (peerConfig), following the client's nominations, resuming ICE after a client restart, one
 * connect at a time, id alignment before our offers, the BUNDLE fix on everything we return, and RTCP routing by
 * media SSRC. The session above it deals in Calls operations only.
 */
export class SfuPeer {
  readonly pc: RTCPeerConnection
  private readonly transports = new Map<RTCDtlsTransport, () => void>()

  constructor(
    address: string,
    private readonly lossRate: number,
    private readonly log: Logger,
    private readonly events: SfuPeerEvents,
  ) {
    this.pc = new RTCPeerConnection(
      peerConfig(address, {
        onStunRequest: (info) => {
          events.onInbound()
          // After werift has handled the check (it may create the pair now), follow the client's choice.
          if (info.nominates) setImmediate(() => followNomination(this.pc, info))
        },
      }),
    )
    coalesceConnect(this.pc)
    this.pc.connectionStateChange.subscribe((state) => {
      if (state === 'connected') events.onConnected()
      else if (state === 'failed' || state === 'closed') events.onGone(`peer connection ${state}`)
    })
  }

  get connected(): boolean {
    return this.pc.dtlsTransports.some((t) => t.state === 'connected')
  }

  transceiver(mid: string): RTCRtpTransceiver | undefined {
    return this.pc.getTransceivers().find((t) => t.mid === mid)
  }

  /** Calls requires one negotiation at a time; ours waits for the client's answer through `renegotiate`. */
  requireStable(): void {
    if (this.pc.signalingState !== 'stable') {
      throw CallsApiError.invalidDescription(
        'A previous negotiation on this session is not finished: answer the SFU offer with renegotiate first, ' +
          'and serialise changes per session.',
      )
    }
  }

  async setRemote(desc: SessionDescription): Promise<void> {
    try {
      await this.pc.setRemoteDescription(desc)
    } catch (error) {
      throw CallsApiError.invalidDescription(`The ${desc.type} was refused: ${errorText(error)}`)
    }
    this.watchTransports()
  }

  /** Apply a client offer and return our answer. */
  async answer(offer: SessionDescription): Promise<string> {
    if (offer.type !== 'offer') throw CallsApiError.invalidDescription('Expected an offer.')
    await this.setRemote(offer)
    const sdp = await this.createAnswer()
    resumeIceAfterRestart(this.pc, (error) =>
      this.log.warn('ICE restart failed', { error: errorText(error) }),
    )
    return sdp
  }

  /** Answer a remote offer already applied with `setRemote`. */
  async createAnswer(): Promise<string> {
    await this.pc.setLocalDescription(await this.pc.createAnswer())
    return this.localSdp()
  }

  async createOffer(): Promise<string> {
    alignNewTransceivers(this.pc)
    await this.pc.setLocalDescription(await this.pc.createOffer())
    this.watchTransports()
    return this.localSdp()
  }

  sendRtcp(packets: RtcpPacket[]): void {
    const transport = this.pc.dtlsTransports[0]
    if (transport?.state === 'connected') transport.sendRtcp(packets).catch(() => undefined)
  }

  close(): void {
    for (const dispose of this.transports.values()) dispose()
    this.transports.clear()
    this.pc.close().catch(() => undefined)
  }

  /** Our SDP with our candidate in it (ICE lite gathers at once), minus werift's BUNDLE quirk. */
  private localSdp(): string {
    const sdp = this.pc.localDescription?.sdp
    if (!sdp) throw CallsApiError.internal()
    return stripRejectedFromBundle(sdp)
  }

  private watchTransports(): void {
    for (const transport of this.pc.dtlsTransports) {
      if (this.transports.has(transport)) continue
      const dispose = watchTransport(
        transport,
        {
          onKeyframeRequest: this.events.onKeyframeRequest,
          onReceiveEstimate: this.events.onReceiveEstimate,
          onInbound: this.events.onInbound,
          onTestDrop: this.events.onTestDrop,
          onState: (state) => {
            if (state === 'connected') this.events.onConnected()
            else if (state === 'closed' || state === 'failed') this.events.onGone(`DTLS ${state}`)
          },
        },
        this.lossRate,
      )
      this.transports.set(transport, dispose)
    }
  }
}

export function errorText(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).slice(0, 300)
}
