/**
 * Synthetic SDP for the fake Calls server and the contract suite's fake peer: structurally plausible (m-lines,
 * mids, directions, BUNDLE), never meant for a real ICE/DTLS handshake. The embedded SFU's contract run supplies
 * real SDP instead (see `SdpPeer` in test/helpers/callsContract.ts).
 */

export type MediaKind = 'audio' | 'video' | 'application'

export interface MediaSection {
  readonly kind: MediaKind
  readonly mid: string
  readonly direction: 'sendonly' | 'recvonly' | 'sendrecv' | 'inactive'
}

const CODEC: Record<MediaKind, { proto: string; fmt: string; lines: string[] }> = {
  audio: { proto: 'UDP/TLS/RTP/SAVPF', fmt: '111', lines: ['a=rtpmap:111 opus/48000/2'] },
  video: { proto: 'UDP/TLS/RTP/SAVPF', fmt: '96', lines: ['a=rtpmap:96 VP8/90000'] },
  application: { proto: 'UDP/DTLS/SCTP', fmt: 'webrtc-datachannel', lines: ['a=sctp-port:5000'] },
}

export function buildSdp(sections: readonly MediaSection[], options: { iceLite?: boolean } = {}): string {
  const lines = [
    'v=0',
    `o=- ${Date.now()} 2 IN IP4 127.0.0.1`,
    's=-',
    't=0 0',
    `a=group:BUNDLE ${sections.map((s) => s.mid).join(' ')}`,
    ...(options.iceLite ? ['a=ice-lite'] : []),
    'a=fingerprint:sha-256 00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF',
  ]
  for (const s of sections) {
    const codec = CODEC[s.kind]
    lines.push(
      `m=${s.kind} 9 ${codec.proto} ${codec.fmt}`,
      'c=IN IP4 0.0.0.0',
      `a=mid:${s.mid}`,
      'a=ice-ufrag:fake',
      'a=ice-pwd:fakefakefakefakefakefake',
      'a=setup:actpass',
      ...(s.kind === 'application' ? [] : [`a=${s.direction}`, 'a=rtcp-mux']),
      ...codec.lines,
    )
  }
  return `${lines.join('\r\n')}\r\n`
}

/** The m-sections of an SDP (kind, mid, direction), in order. Sections without a mid get their index. */
export function parseSections(sdp: string): MediaSection[] {
  const sections: MediaSection[] = []
  let current: { kind: MediaKind; mid?: string; direction?: MediaSection['direction'] } | undefined
  const flush = () => {
    if (current) {
      sections.push({
        kind: current.kind,
        mid: current.mid ?? String(sections.length),
        direction: current.direction ?? 'sendrecv',
      })
    }
  }
  for (const raw of sdp.split(/\r?\n/)) {
    const line = raw.trim()
    const m = /^m=(audio|video|application)\s/.exec(line)
    if (m) {
      flush()
      current = { kind: m[1] as MediaKind }
      continue
    }
    if (!current) continue
    const mid = /^a=mid:(\S+)/.exec(line)
    if (mid) current.mid = mid[1]
    const dir = /^a=(sendonly|recvonly|sendrecv|inactive)$/.exec(line)
    if (dir) current.direction = dir[1] as MediaSection['direction']
  }
  flush()
  return sections
}

const FLIP: Record<MediaSection['direction'], MediaSection['direction']> = {
  sendonly: 'recvonly',
  recvonly: 'sendonly',
  sendrecv: 'sendrecv',
  inactive: 'inactive',
}

/** An answer to `offer`: the same sections, directions mirrored. */
export function answerFor(offer: string, options: { iceLite?: boolean } = {}): string {
  return buildSdp(
    parseSections(offer).map((s) => ({ ...s, direction: FLIP[s.direction] })),
    options,
  )
}

/**
 * A fake browser peer for the contract suite (see `SdpPeer` in test/helpers/callsContract.ts): it keeps the list
 * of its m-sections like an RTCPeerConnection would, so offers after a close still carry every section.
 */
export function syntheticPeer() {
  const sections: MediaSection[] = []
  return {
    async pushOffer(kinds: readonly ('audio' | 'video')[]): Promise<{ sdp: string; mids: string[] }> {
      const added = kinds.map((kind, i) => ({
        kind,
        mid: String(sections.length + i),
        direction: 'sendonly' as const,
      }))
      for (const section of added) sections.push(section)
      return { sdp: buildSdp(sections), mids: added.map((s) => s.mid) }
    },
    async closeOffer(mids: readonly string[]): Promise<string> {
      for (const [i, s] of sections.entries()) {
        if (mids.includes(s.mid)) sections[i] = { ...s, direction: 'inactive' }
      }
      return buildSdp(sections)
    },
    async answer(offer: string): Promise<string> {
      for (const s of parseSections(offer)) {
        if (!sections.some((own) => own.mid === s.mid)) sections.push({ ...s, direction: FLIP[s.direction] })
      }
      return answerFor(offer)
    },
    async acceptAnswer(answer: string): Promise<void> {
      if (!answer.startsWith('v=0')) throw new Error('not an SDP answer')
    },
    async close(): Promise<void> {},
  }
}
