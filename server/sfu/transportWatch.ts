import {
  PictureLossIndication,
  ReceiverEstimatedMaxBitrate,
  RtcpPayloadSpecificFeedback,
  type RTCDtlsTransport,
  type RtcpPacket,
  type RtpHeader,
} from 'werift'

export interface TransportEvents {
  /** A keyframe request (PLI or FIR) for one of our sending SSRCs. */
  readonly onKeyframeRequest: (mediaSsrc: number) => void
  /** The client's REMB: its receive estimate for everything we send it. */
  readonly onReceiveEstimate: (bps: number) => void
  /** Any datagram from the client (liveness). */
  readonly onInbound: () => void
  readonly onState: (state: RTCDtlsTransport['state']) => void
  /** Test loss mode dropped an outgoing RTP packet. */
  readonly onTestDrop: () => void
}

/**
 * Hooks one DTLS transport of a session. Keyframe requests are routed here by *media* SSRC: werift's own router
 * looks at the RTCP *sender* SSRC first, and when the subscriber also publishes, Chromium uses its sending SSRC
 * as the sender SSRC of its PLIs, so werift hands them to the receiver of that publication and they are lost
 * (seen as ~15 s of black video in 6-person meetings).
 *
 * `lossRate` (tests only) drops that fraction of outgoing RTP after werift has cached it for retransmission, as a
 * lossy network would: the subscriber's NACKs must then be served from the sender's cache.
 */
export function watchTransport(
  transport: RTCDtlsTransport,
  events: TransportEvents,
  lossRate: number,
): () => void {
  const rtcp = transport.onRtcp.subscribe((packet: RtcpPacket) => routeRtcp(packet, events))
  const connection = transport.iceTransport.connection
  // DTLS records that arrive before werift has created its DTLS server (see below), replayed into it.
  const early: Buffer[] = []
  const state = transport.onStateChange.subscribe((s) => {
    if (s === 'connecting' && early.length > 0) {
      // start() creates the DTLS server right after announcing 'connecting', in the same tick.
      const replay = early.splice(0)
      setImmediate(() => {
        for (const record of replay) connection.onData.execute(record)
      })
    }
    events.onState(s)
  })
  const data = connection.onData.subscribe((datagram) => {
    events.onInbound()
    // The client's ICE succeeds as soon as we answer its checks, which werift does before it has the client's
    // answer; its DTLS ClientHello can then arrive before werift starts its DTLS server, and is dropped. The
    // client only retries after its DTLS retransmission timer (1 s, then 2 s): seen as 2.5-3 s first frames when
    // eight subscribers joined at once. Keep such early records (RFC 7983: first byte 20-63 is DTLS).
    const first = datagram[0] ?? 0
    if (transport.state === 'new' && first >= 20 && first <= 63 && early.length < 16)
      early.push(Buffer.from(datagram))
  })
  if (lossRate > 0) {
    const send = transport.sendRtp.bind(transport)
    transport.sendRtp = (payload: Buffer, header: RtpHeader): Promise<number> => {
      if (Math.random() >= lossRate) return send(payload, header)
      events.onTestDrop()
      return Promise.resolve(0)
    }
  }
  return () => {
    rtcp.unSubscribe()
    state.unSubscribe()
    data.unSubscribe()
  }
}

/** RFC 5104 FIR; werift does not export its FullIntraRequest class. */
const FIR_FMT = 4

function routeRtcp(packet: RtcpPacket, events: TransportEvents): void {
  // Matched on type and FMT rather than instanceof: werift ships CJS and ESM copies of these classes.
  if (packet.type !== RtcpPayloadSpecificFeedback.type) return
  const fb = (packet as RtcpPayloadSpecificFeedback).feedback
  switch (fb.count) {
    case PictureLossIndication.count:
      events.onKeyframeRequest((fb as PictureLossIndication).mediaSsrc)
      break
    case FIR_FMT:
      for (const entry of (fb as unknown as { fir: { ssrc: number }[] }).fir)
        events.onKeyframeRequest(entry.ssrc)
      break
    case ReceiverEstimatedMaxBitrate.count:
      events.onReceiveEstimate(Number((fb as ReceiverEstimatedMaxBitrate).bitrate))
      break
    default:
      break
  }
}

/** A REMB packet telling a publisher how much it may send in total on `ssrcs`. */
export function rembPacket(bps: number, ssrcs: readonly number[]): RtcpPayloadSpecificFeedback {
  // REMB carries the bitrate as an 18-bit mantissa and a 6-bit exponent.
  let exp = 0
  let mantissa = Math.max(0, Math.round(bps))
  while (mantissa > 0x3ffff) {
    mantissa = Math.floor(mantissa / 2)
    exp++
  }
  return new RtcpPayloadSpecificFeedback({
    feedback: new ReceiverEstimatedMaxBitrate({
      senderSsrc: 1,
      mediaSsrc: 0,
      ssrcNum: ssrcs.length,
      brExp: exp,
      brMantissa: mantissa,
      bitrate: BigInt(mantissa) << BigInt(exp),
      ssrcFeedbacks: [...ssrcs],
    }),
  })
}
