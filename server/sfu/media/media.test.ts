import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { chooseLayer, DEFAULT_REMB_POLICY, publicationRemb } from './bandwidth'
import { KeyframeRequester, type Timers } from './KeyframeRequester'
import { RtpMunger, unwrap } from './RtpMunger'
import { parseVp8, Vp8Munger } from './vp8'

/** A VP8 payload: descriptor with 15-bit picture id and TL0PICIDX, then one payload byte. */
function vp8(opts: { start?: boolean; key?: boolean; pid?: number; tl0?: number }): Buffer {
  const pid = opts.pid ?? 0
  return Buffer.from([
    0x80 | (opts.start === false ? 0 : 0x10), // X, S, PID 0
    0xc0, // I, L
    0x80 | (pid >> 8),
    pid & 0xff,
    opts.tl0 ?? 0,
    opts.key ? 0x00 : 0x01, // P bit: 0 = keyframe
  ])
}

describe('parseVp8', () => {
  it('finds keyframes, picture ids and TL0PICIDX', () => {
    expect(parseVp8(vp8({ key: true, pid: 300, tl0: 7 }))).toMatchObject({
      frameStart: true,
      keyframe: true,
      pictureId: 300,
      pictureIdBits: 15,
      tl0PicIdx: 7,
      size: 5,
    })
    expect(parseVp8(vp8({ key: false }))?.keyframe).toBe(false)
    // Only the first packet of a frame can say keyframe.
    expect(parseVp8(vp8({ key: true, start: false }))?.keyframe).toBe(false)
  })

  it('handles a minimal descriptor and short or empty payloads', () => {
    expect(parseVp8(Buffer.from([0x10, 0x00]))).toMatchObject({ keyframe: true, size: 1 })
    expect(parseVp8(Buffer.alloc(0))).toBeUndefined()
    expect(parseVp8(Buffer.from([0x90, 0x80]))).toBeUndefined()
  })

  it('never throws on arbitrary bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 12 }), (bytes) => void parseVp8(bytes)))
  })
})

describe('Vp8Munger', () => {
  it('passes the first source through untouched (no copy)', () => {
    const m = new Vp8Munger()
    const p = vp8({ key: true, pid: 10, tl0: 3 })
    expect(m.rewrite(p, parseVp8(p))).toBe(p)
  })

  it('continues picture ids and TL0PICIDX across a switch', () => {
    const m = new Vp8Munger()
    for (const pid of [10, 11, 12]) m.rewrite(vp8({ pid, tl0: 3 }), parseVp8(vp8({ pid, tl0: 3 })))
    m.switchSource()
    const next = vp8({ key: true, pid: 32000, tl0: 200 })
    const out = m.rewrite(next, parseVp8(next))
    expect(parseVp8(out)).toMatchObject({ pictureId: 13, tl0PicIdx: 4, keyframe: true })
    expect(next[3]).toBe(32000 & 0xff) // the publisher's buffer is not modified
    const after = vp8({ pid: 32001, tl0: 200 })
    expect(parseVp8(m.rewrite(after, parseVp8(after)))?.pictureId).toBe(14)
  })
})

describe('RtpMunger', () => {
  const pkt = (seq: number, ts = seq * 3000, ssrc = 1, padding = false) => ({
    ssrc,
    sequenceNumber: seq & 0xffff,
    timestamp: ts >>> 0,
    padding,
  })

  it('passes a plain stream through unchanged', () => {
    const m = new RtpMunger(90_000)
    for (const seq of [100, 101, 102])
      expect(m.rewrite(pkt(seq), 0)).toEqual({ sequenceNumber: seq, timestamp: seq * 3000 })
  })

  it('drops padding and closes the gap it leaves', () => {
    const m = new RtpMunger(90_000)
    const out = [1, 2, 3, 4, 5, 6].map(
      (seq) => m.rewrite(pkt(seq, 0, 1, seq === 3 || seq === 4), 0)?.sequenceNumber,
    )
    expect(out).toEqual([1, 2, undefined, undefined, 3, 4])
  })

  it('maps a late packet through the offset in force at its sequence number', () => {
    const m = new RtpMunger(90_000)
    m.rewrite(pkt(1), 0)
    m.rewrite(pkt(3), 0) // 2 is late
    m.rewrite(pkt(4, 0, 1, true), 0) // padding: later packets shift back by one
    expect(m.rewrite(pkt(5), 0)?.sequenceNumber).toBe(4)
    expect(m.rewrite(pkt(2), 0)?.sequenceNumber).toBe(2)
  })

  it('continues sequence and timestamp when the source SSRC changes', () => {
    const m = new RtpMunger(90_000)
    m.rewrite(pkt(500, 9000), 1000)
    const out = m.rewrite({ ssrc: 2, sequenceNumber: 40000, timestamp: 123456, padding: false }, 1100)
    // +1 in sequence; +100 ms of 90 kHz in timestamp.
    expect(out).toEqual({ sequenceNumber: 501, timestamp: 9000 + 9000 })
    expect(m.rewrite({ ssrc: 2, sequenceNumber: 40001, timestamp: 126456, padding: false }, 1133)).toEqual({
      sequenceNumber: 502,
      timestamp: 18000 + 3000,
    })
    // Packets from before the switch point of the new source are dropped.
    expect(
      m.rewrite({ ssrc: 2, sequenceNumber: 39999, timestamp: 120456, padding: false }, 1133),
    ).toBeUndefined()
  })

  it('keeps the output gap-free across sequence wrap for any padding pattern', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 0xffff }),
        fc.array(fc.boolean(), { minLength: 1, maxLength: 300 }),
        (start, padding) => {
          const m = new RtpMunger(90_000)
          const out: number[] = []
          padding.forEach((pad, i) => {
            const r = m.rewrite(pkt(start + i, i * 3000, 1, pad && i > 0), 0)
            if (r) out.push(r.sequenceNumber)
          })
          out.forEach((seq, i) => expect(seq).toBe((out[0]! + i) & 0xffff))
        },
      ),
    )
  })

  it('unwraps sequence numbers to the nearest extended value', () => {
    expect(unwrap(65535, 0)).toBe(65536)
    expect(unwrap(65536, 65535)).toBe(65535)
    expect(unwrap(10, 5)).toBe(5)
  })
})

function fakeTimers(): Timers & { advance(ms: number): void } {
  let now = 0
  let tasks: { at: number; fn: () => void }[] = []
  return {
    now: () => now,
    setTimeout: (fn, ms) => {
      const task = { at: now + ms, fn }
      tasks.push(task)
      return task
    },
    clearTimeout: (handle) => void (tasks = tasks.filter((t) => t !== handle)),
    advance(ms) {
      const target = now + ms
      for (;;) {
        const next = tasks.filter((t) => t.at <= target).sort((a, b) => a.at - b.at)[0]
        if (!next) break
        tasks = tasks.filter((t) => t !== next)
        now = next.at
        next.fn()
      }
      now = target
    },
  }
}

describe('KeyframeRequester', () => {
  it('spaces requests at least 320 ms apart, deferring rather than dropping', () => {
    const timers = fakeTimers()
    const sent: number[] = []
    const k = new KeyframeRequester(() => sent.push(timers.now()), 320, timers)
    k.request()
    timers.advance(100)
    k.request()
    k.request()
    timers.advance(300)
    expect(sent).toEqual([0, 320])
  })

  it('skips a deferred request when a keyframe arrived meanwhile', () => {
    const timers = fakeTimers()
    let sent = 0
    const k = new KeyframeRequester(() => sent++, 320, timers)
    k.request()
    timers.advance(50)
    k.request()
    timers.advance(50)
    k.keyframeArrived()
    timers.advance(400)
    expect(sent).toBe(1)
  })
})

describe('publicationRemb', () => {
  const p = DEFAULT_REMB_POLICY
  it('gives the cap while nobody is constrained', () => {
    expect(publicationRemb(500_000, [], false)).toBe(p.capBps)
    expect(publicationRemb(500_000, [{ estimateBps: 3_000_000, videoStreams: 2 }], false)).toBe(p.capBps)
    expect(publicationRemb(500_000, [{ estimateBps: undefined, videoStreams: 1 }], false)).toBe(p.capBps)
  })

  it('follows the lowest constrained subscriber share, floored', () => {
    const subs = [
      { estimateBps: 1_200_000, videoStreams: 2 }, // share 600k < 1M sent: constrains
      { estimateBps: 900_000, videoStreams: 1 }, // 900k: constrains
      { estimateBps: 5_000_000, videoStreams: 1 },
    ]
    expect(publicationRemb(1_000_000, subs, false)).toBe(600_000)
    expect(publicationRemb(1_000_000, [{ estimateBps: 50_000, videoStreams: 1 }], false)).toBe(p.floorBps)
  })

  it('leaves simulcast publications at their cap (layers serve weak subscribers)', () => {
    expect(publicationRemb(1_000_000, [{ estimateBps: 100_000, videoStreams: 1 }], true)).toBe(
      p.simulcastCapBps,
    )
  })
})

describe('chooseLayer', () => {
  const layers = (active: string) => ['f', 'h', 'q'].map((rid) => ({ rid, active: active.includes(rid) }))
  it('takes the preferred layer when it is sending', () => {
    expect(chooseLayer('h', 'none', layers('fhq'))).toBe('h')
  })
  it('defaults to the best layer (a-z)', () => {
    expect(chooseLayer(undefined, undefined, layers('fhq'))).toBe('f')
    expect(chooseLayer(undefined, undefined, layers('hq'))).toBe('h')
  })
  it('waits for a missing preferred layer with none, falls back with asciibetical', () => {
    expect(chooseLayer('f', 'none', layers('hq'))).toBe('f')
    expect(chooseLayer('f', 'asciibetical', layers('hq'))).toBe('h')
    expect(chooseLayer('q', 'asciibetical', layers('fh'))).toBe('h')
  })
})
