import { RtpHeader, RtpPacket, type RTCRtpTransceiver } from 'werift'
import { describe, expect, it } from 'vitest'
import type { Timers } from './media/KeyframeRequester'
import { GOP_REPLAY_MS, Publication, RESUME_GAP_MS } from './Publication'
import { Subscription } from './Subscription'

/** A VP8 packet: minimal descriptor (S bit on the first packet of a frame), then the payload header byte. */
function vp8Packet(seq: number, opts: { start: boolean; key: boolean }): RtpPacket {
  const payload = Buffer.from([opts.start ? 0x10 : 0x00, opts.key ? 0x00 : 0x01, 0xaa])
  return new RtpPacket(
    new RtpHeader({ payloadType: 96, sequenceNumber: seq, timestamp: seq * 3000, ssrc: 1111, marker: true }),
    payload,
  )
}

function manualTimers(): Timers & { set(ms: number): void } {
  let now = 1000
  return {
    now: () => now,
    setTimeout: () => ({}),
    clearTimeout: () => undefined,
    set: (ms) => void (now = ms),
  }
}

/** A publisher's receiving transceiver with one track per rid whose packets the test pushes. */
function fakePublisher(rids: readonly string[] = []): {
  transceiver: RTCRtpTransceiver
  receive: (p: RtpPacket, rid?: string) => void
  plis: number[]
} {
  const listeners = new Map<string, (p: RtpPacket) => void>()
  const plis: number[] = []
  const tracks = (rids.length > 0 ? rids : [undefined]).map((rid) => ({
    rid,
    onReceiveRtp: {
      subscribe: (fn: (p: RtpPacket) => void) => {
        listeners.set(rid ?? '', fn)
        return { unSubscribe: () => undefined }
      },
    },
  }))
  const transceiver = {
    receiver: {
      tracks,
      sendRtcpPLI: (ssrc: number) => {
        plis.push(ssrc)
        return Promise.resolve()
      },
    },
    onTrack: { subscribe: () => ({ unSubscribe: () => undefined }) },
  }
  return {
    transceiver: transceiver as unknown as RTCRtpTransceiver,
    receive: (p, rid = '') => listeners.get(rid)?.(p),
    plis,
  }
}

/** A subscriber's sendonly transceiver that records what would go on the wire. */
function fakeSubscriber(): { transceiver: RTCRtpTransceiver; sent: RtpPacket[] } {
  const sent: RtpPacket[] = []
  const transceiver = {
    mid: '1',
    sender: {
      ssrc: 2222,
      codec: { payloadType: 96 },
      dtlsTransport: { state: 'connected' },
      sendRtp: (p: RtpPacket) => {
        sent.push(p)
        return Promise.resolve()
      },
    },
  }
  return { transceiver: transceiver as unknown as RTCRtpTransceiver, sent }
}

const bandwidth = () => ({ estimateBps: undefined, videoStreams: 1 })

describe('Subscription start from a cached keyframe', () => {
  it('a fresh subscriber gets the recent keyframe and what followed at once, without a keyframe request', () => {
    const timers = manualTimers()
    const pub = fakePublisher()
    const publication = new Publication('s', 'video', '0', 'video', pub.transceiver, [], timers)
    pub.receive(vp8Packet(10, { start: true, key: false })) // a delta before the keyframe: never replayed
    pub.receive(vp8Packet(11, { start: true, key: true }))
    pub.receive(vp8Packet(12, { start: false, key: false }))
    pub.receive(vp8Packet(13, { start: true, key: false }))
    timers.set(1000 + GOP_REPLAY_MS - 50)
    const sub = fakeSubscriber()
    const subscription = new Subscription(
      sub.transceiver,
      publication,
      {},
      bandwidth,
      undefined,
      undefined,
      timers,
    )
    subscription.activate(true)
    expect(sub.sent.map((p) => p.header.sequenceNumber)).toEqual([11, 12, 13])
    expect(pub.plis).toEqual([])
    // Live packets continue the same stream.
    pub.receive(vp8Packet(14, { start: true, key: false }))
    expect(sub.sent.map((p) => p.header.sequenceNumber)).toEqual([11, 12, 13, 14])
  })

  it('a keyframe older than the replay window is not replayed: the subscriber asks for a new one', () => {
    const timers = manualTimers()
    const pub = fakePublisher()
    const publication = new Publication('s', 'video', '0', 'video', pub.transceiver, [], timers)
    pub.receive(vp8Packet(11, { start: true, key: true }))
    timers.set(1000 + GOP_REPLAY_MS + 1)
    pub.receive(vp8Packet(12, { start: true, key: false }))
    const sub = fakeSubscriber()
    const subscription = new Subscription(
      sub.transceiver,
      publication,
      {},
      bandwidth,
      undefined,
      undefined,
      timers,
    )
    subscription.activate(true)
    expect(sub.sent).toEqual([])
    expect(pub.plis).toEqual([1111])
    pub.receive(vp8Packet(13, { start: true, key: false }))
    expect(sub.sent).toEqual([])
    pub.receive(vp8Packet(14, { start: true, key: true }))
    expect(sub.sent.map((p) => p.header.sequenceNumber)).toEqual([14])
  })

  it('a subscriber negotiating while packets arrive starts from the keyframe, not from the live packet', () => {
    const timers = manualTimers()
    const pub = fakePublisher()
    const publication = new Publication('s', 'video', '0', 'video', pub.transceiver, [], timers)
    const sub = fakeSubscriber()
    const subscription = new Subscription(
      sub.transceiver,
      publication,
      {},
      bandwidth,
      undefined,
      undefined,
      timers,
    )
    pub.receive(vp8Packet(11, { start: true, key: true }))
    pub.receive(vp8Packet(12, { start: true, key: false }))
    expect(sub.sent).toEqual([])
    subscription.activate(true)
    expect(sub.sent.map((p) => p.header.sequenceNumber)).toEqual([11, 12])
  })
})

describe('Publication after an outage', () => {
  it('asks the publisher for a keyframe when its video resumes after a gap, not while it flows', () => {
    const timers = manualTimers()
    const pub = fakePublisher()
    new Publication('s', 'video', '0', 'video', pub.transceiver, [], timers)
    pub.receive(vp8Packet(11, { start: true, key: true }))
    timers.set(1000 + RESUME_GAP_MS - 10)
    pub.receive(vp8Packet(12, { start: true, key: false }))
    expect(pub.plis).toEqual([])
    timers.set(1000 + 2 * RESUME_GAP_MS + 10)
    pub.receive(vp8Packet(13, { start: true, key: false }))
    expect(pub.plis).toEqual([1111])
  })
})

describe('Subscription start on a simulcast track', () => {
  it('starts at once on a layer that sends when the preferred one does not send yet', () => {
    const timers = manualTimers()
    const pub = fakePublisher(['f', 'h'])
    const publication = new Publication('s', 'video', '0', 'video', pub.transceiver, ['f', 'h'], timers)
    const sub = fakeSubscriber()
    const subscription = new Subscription(
      sub.transceiver,
      publication,
      { preferredRid: 'h' },
      bandwidth,
      undefined,
      undefined,
      timers,
    )
    subscription.activate(true)
    expect(sub.sent).toEqual([])
    // Only f has started: the subscriber gets f from its keyframe on, each packet once.
    pub.receive(vp8Packet(11, { start: true, key: true }), 'f')
    pub.receive(vp8Packet(12, { start: true, key: false }), 'f')
    expect(subscription.currentRid).toBe('f')
    expect(sub.sent.map((p) => p.header.sequenceNumber)).toEqual([11, 12])
  })
})
