import {
  useAbsSendTime,
  useFIR,
  useNACK,
  useOPUS,
  usePLI,
  useREMB,
  useRepairedRtpStreamId,
  useSdesMid,
  useSdesRTPStreamId,
  useVP8,
  type RTCPeerConnection,
  type RTCPeerConnectionConfig,
  type RTCRtpCodecParameters,
  type RTCRtpHeaderExtensionParameters,
  type RTCRtpTransceiver,
} from 'werift'

type MediaKind = 'audio' | 'video'

function codecsFor(kind: MediaKind): RTCRtpCodecParameters[] {
  return kind === 'audio'
    ? [useOPUS({ parameters: 'minptime=10;useinbandfec=1' })]
    : [useVP8({ rtcpFeedback: [useNACK(), usePLI(), useFIR(), useREMB()] })]
}

function extensionsFor(kind: MediaKind): RTCRtpHeaderExtensionParameters[] {
  return kind === 'audio'
    ? [useSdesMid()]
    : [useSdesMid(), useAbsSendTime(), useSdesRTPStreamId(), useRepairedRtpStreamId()]
}

/** What the ICE agent tells us about one STUN binding request it is about to answer. */
export interface StunRequestInfo {
  /** The request carries USE-CANDIDATE: the client (controlling) nominates this path. */
  readonly nominates: boolean
  /** Our ufrag as named in the request's USERNAME (tells current checks from old-generation ones). */
  readonly localUfrag: string
  readonly address: readonly [string, number]
  /** werift's socket ("protocol") the request came in on. */
  readonly socket: unknown
}

export interface PeerHooks {
  /** Called for every STUN binding request from the client: liveness, and nominations to follow. */
  readonly onStunRequest: (info: StunRequestInfo) => void
}

/**
 * werift settings for one SFU-side PeerConnection. Every line encodes a pitfall found in the prototype
 * (shared/notes/local-sfu-and-browser-tests.md):
 * - ICE lite: full ICE in werift falls back to a Google STUN server even with `iceServers: []` and blocks every
 *   `setLocalDescription` for its 5 s timeout. Lite is also the usual SFU model (the client controls ICE).
 * - No interface enumeration; bind and advertise only `address` (werift binds 0.0.0.0 and advertises every
 *   interface by default).
 * - VP8 with NACK, PLI, FIR and REMB; Opus. No transport-cc: subscribers then send REMB, which is the receive
 *   estimate the publisher REMB is built from.
 */
export function peerConfig(address: string, hooks: PeerHooks): RTCPeerConnectionConfig {
  return {
    iceServers: [],
    iceLite: true,
    iceUseIpv4: false,
    iceUseIpv6: false,
    iceUseTcp: false,
    iceAdditionalHostAddresses: [address],
    iceInterfaceAddresses: { udp4: address },
    iceFilterStunResponse: (message, address, socket) => {
      const username = String(message.getAttributeValue('USERNAME') ?? '')
      hooks.onStunRequest({
        nominates: message.attributesKeys.includes('USE-CANDIDATE'),
        localUfrag: username.split(':')[0] ?? '',
        address: [address[0], address[1]],
        socket,
      })
      return true
    },
    bundlePolicy: 'max-bundle',
    codecs: { audio: codecsFor('audio'), video: codecsFor('video') },
    headerExtensions: { audio: extensionsFor('audio'), video: extensionsFor('video') },
  }
}

const codecKey = (c: RTCRtpCodecParameters): string =>
  `${c.mimeType.toLowerCase()}/${c.clockRate}/${c.channels ?? 1}`

/**
 * libwebrtc's own numbering (Chromium and @roamhq/wrtc offers). Fresh ids follow it, because a client checks its
 * *own* default codecs against the BUNDLE too: with opus on 96 from us, its next offer (say, closing a video
 * m-line) lists its default VP8 96 and fails with "Duplicate payload type with conflicting codec name".
 */
const PREFERRED_PT: Record<string, number> = { 'audio/opus': 111, 'video/vp8': 96 }
const PREFERRED_EXT_ID: Record<string, number> = {
  'urn:ietf:params:rtp-hdrext:ssrc-audio-level': 1,
  'http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time': 2,
  'http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01': 3,
  'urn:ietf:params:rtp-hdrext:sdes:mid': 4,
  'urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id': 10,
  'urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id': 11,
}

/**
 * werift numbers the payload types and extension ids of the transceivers it offers from its config (96+i, 1+i)
 * and ignores what this PeerConnection already negotiated from the client's offers. Chromium then refuses the
 * pull offer ("A BUNDLE group contains a codec collision for header extension id=2", or opus and VP8 both on
 * 96). Give every not-yet-negotiated transceiver codecs and extensions that reuse the ids in use on this
 * PeerConnection, and take free ids for anything new. Call right before `createOffer`.
 */
export function alignNewTransceivers(pc: RTCPeerConnection): void {
  const ptByCodec = new Map<string, number>()
  const usedPts = new Set<number>()
  const idByUri = new Map<string, number>()
  const usedIds = new Set<number>()
  const fresh: RTCRtpTransceiver[] = []
  for (const t of pc.getTransceivers()) {
    if (t.codecs.length === 0) {
      if (t.kind === 'audio' || t.kind === 'video') fresh.push(t)
      continue
    }
    for (const c of t.codecs) {
      usedPts.add(c.payloadType)
      if (!ptByCodec.has(codecKey(c))) ptByCodec.set(codecKey(c), c.payloadType)
    }
    for (const e of t.headerExtensions) {
      usedIds.add(e.id)
      if (!idByUri.has(e.uri)) idByUri.set(e.uri, e.id)
    }
  }
  const freePt = (mime: string): number => {
    const preferred = PREFERRED_PT[mime.toLowerCase()]
    if (preferred !== undefined && !usedPts.has(preferred)) return preferred
    for (let pt = 96; pt <= 127; pt++) if (!usedPts.has(pt)) return pt
    throw new Error('no free RTP payload type left on this PeerConnection')
  }
  const freeId = (uri: string): number => {
    const preferred = PREFERRED_EXT_ID[uri]
    if (preferred !== undefined && !usedIds.has(preferred)) return preferred
    for (let id = 1; id <= 14; id++) if (!usedIds.has(id)) return id
    throw new Error('no free header extension id left on this PeerConnection')
  }
  for (const t of fresh) {
    const kind = t.kind as MediaKind
    t.codecs = codecsFor(kind).map((c) => {
      const pt = ptByCodec.get(codecKey(c)) ?? freePt(c.mimeType)
      c.payloadType = pt
      usedPts.add(pt)
      ptByCodec.set(codecKey(c), pt)
      return c
    })
    t.headerExtensions = extensionsFor(kind).map((e) => {
      const id = idByUri.get(e.uri) ?? freeId(e.uri)
      e.id = id
      usedIds.add(id)
      idByUri.set(e.uri, id)
      return e
    })
  }
}
