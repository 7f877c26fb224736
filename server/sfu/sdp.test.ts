import { RTCPeerConnection } from 'werift'
import { describe, expect, it } from 'vitest'
import { alignNewTransceivers, peerConfig } from './peerConfig'
import { bundleTag, iceUfrag, mediaSections, stripRejectedFromBundle } from './sdp'

const SDP = [
  'v=0',
  'o=- 1 2 IN IP4 127.0.0.1',
  's=-',
  't=0 0',
  'a=group:BUNDLE 0 1 2',
  'm=audio 9 UDP/TLS/RTP/SAVPF 111',
  'a=mid:0',
  'a=ice-ufrag:abcd',
  'a=sendonly',
  'm=video 0 UDP/TLS/RTP/SAVPF 96',
  'a=mid:1',
  'a=inactive',
  'm=video 9 UDP/TLS/RTP/SAVPF 96',
  'a=mid:2',
  'a=rid:f send',
  'a=rid:h send',
  'a=rid:x recv',
  'a=simulcast:send f;h',
  '',
].join('\r\n')

describe('SDP helpers', () => {
  it('lists m-sections with mid, port, direction and send rids', () => {
    expect(mediaSections(SDP)).toEqual([
      { index: 0, kind: 'audio', port: 9, mid: '0', direction: 'sendonly', sendRids: [] },
      { index: 1, kind: 'video', port: 0, mid: '1', direction: 'inactive', sendRids: [] },
      { index: 2, kind: 'video', port: 9, mid: '2', direction: 'sendrecv', sendRids: ['f', 'h'] },
    ])
  })

  it('removes rejected mids from the BUNDLE group and keeps the rest byte for byte', () => {
    const out = stripRejectedFromBundle(SDP)
    expect(out).toContain('a=group:BUNDLE 0 2\r\n')
    expect(out.replace('a=group:BUNDLE 0 2', 'a=group:BUNDLE 0 1 2')).toBe(SDP)
    expect(
      stripRejectedFromBundle(SDP.replace('m=audio 9', 'm=audio 0').replace('m=video 9', 'm=video 0')),
    ).not.toContain('a=group:BUNDLE')
  })

  it('reads the ICE ufrag and the BUNDLE tag', () => {
    expect(iceUfrag(SDP)).toBe('abcd')
    expect(bundleTag(SDP)).toBe('0')
    expect(bundleTag(undefined)).toBeUndefined()
  })
})

describe('alignNewTransceivers', () => {
  it('numbers fresh transceivers like libwebrtc and never reuses an id for something else', async () => {
    const pc = new RTCPeerConnection(peerConfig('127.0.0.1', { onStunRequest: () => undefined }))
    try {
      pc.addTransceiver('audio', { direction: 'sendonly' })
      pc.addTransceiver('video', { direction: 'sendonly' })
      alignNewTransceivers(pc)
      const offer = await pc.createOffer()
      const rtpmaps = offer.sdp.match(/a=rtpmap:\d+ \S+/g)
      expect(rtpmaps).toEqual(['a=rtpmap:111 OPUS/48000/2', 'a=rtpmap:96 VP8/90000'])
      // One id per URI across the whole BUNDLE, one URI per id.
      const extmaps = [...offer.sdp.matchAll(/a=extmap:(\d+) (\S+)/g)].map(
        (m) => [Number(m[1]), m[2] ?? ''] as const,
      )
      const byId = new Map<number, string>()
      for (const [id, uri] of extmaps) {
        expect(byId.get(id) ?? uri).toBe(uri)
        byId.set(id, uri)
      }
      expect(byId.get(4)).toBe('urn:ietf:params:rtp-hdrext:sdes:mid')
    } finally {
      await pc.close()
    }
  })
})
