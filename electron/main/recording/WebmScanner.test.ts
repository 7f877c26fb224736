import { readFileSync } from 'node:fs'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { syntheticWebm } from '../../../test/helpers/webmFixture'
import { WebmScanner } from './WebmScanner'

/** 2.6 s recorded by Chromium 156 (VP9 with alpha, so video comes as BlockGroups; Opus), in 0.5 s chunks. */
const chromium = readFileSync('test/fixtures/recording/chromium-vp9-opus-alpha.webm')

function scanInPieces(bytes: Uint8Array, cuts: readonly number[]): WebmScanner {
  const scan = new WebmScanner()
  let at = 0
  for (const cut of [...cuts].sort((a, b) => a - b)) {
    scan.push(bytes.subarray(at, cut))
    at = cut
  }
  scan.push(bytes.subarray(at))
  return scan
}

function summary(scan: WebmScanner) {
  return {
    segment: scan.segment,
    info: scan.info,
    tracks: scan.tracks,
    clusters: scan.clusters.map((c) => ({ ...c })),
    completeEnd: scan.completeEnd,
    durationMs: scan.durationMs,
  }
}

describe('WebmScanner', () => {
  it('reads a real MediaRecorder file: tracks, clusters, keyframes, duration', () => {
    const scan = scanInPieces(chromium, [])
    expect(scan.tracks).toEqual([
      { number: 1, type: 1, codec: 'V_VP9', width: 160, height: 90 },
      { number: 2, type: 2, codec: 'A_OPUS' },
    ])
    expect(scan.info?.timecodeScale).toBe(1_000_000)
    expect(scan.info?.durationMs).toBeUndefined()
    expect(scan.clusters.length).toBeGreaterThanOrEqual(3)
    expect(scan.clusters.every((c) => !c.sizeKnown && c.sizeLength === 8)).toBe(true)
    // Keyframes requested every second: at least the first cluster and two more start one.
    const keyed = scan.clusters.filter((c) => c.keyframeTime !== undefined)
    expect(keyed[0]?.keyframeTime).toBe(0)
    expect(keyed.length).toBeGreaterThanOrEqual(3)
    expect(scan.durationMs).toBeGreaterThan(2400)
    expect(scan.durationMs).toBeLessThan(2800)
    expect(scan.completeEnd).toBe(chromium.length)
  })

  it('gives the same answer however the stream is cut into chunks', () => {
    const whole = summary(scanInPieces(chromium, []))
    // Regression: a chunk ending inside the last ReferenceBlock of a BlockGroup left the group open.
    expect(summary(scanInPieces(chromium, [chromium.length - 2]))).toEqual(whole)
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 1, max: chromium.length - 1 }), { maxLength: 40 }),
        (cuts) => {
          expect(summary(scanInPieces(chromium, cuts))).toEqual(whole)
        },
      ),
      { numRuns: 200 },
    )
  })

  it('handles SimpleBlocks and BlockGroups alike (synthetic streams)', () => {
    for (const blockGroups of [false, true]) {
      const bytes = syntheticWebm({ seconds: 5, keyframeEveryMs: 2000, blockGroups })
      const scan = scanInPieces(bytes, [100, 5000, 5001])
      expect(scan.clusters.map((c) => c.timecode)).toEqual([0, 1000, 2000, 3000, 4000])
      expect(scan.clusters.map((c) => c.keyframeTime)).toEqual([0, undefined, 2000, undefined, 4000])
      // Last video frame at 4967 ms plus one 33 ms gap.
      expect(scan.durationMs).toBeGreaterThan(4990)
      expect(scan.durationMs).toBeLessThan(5010)
    }
  })

  it('marks the last clean cut of a torn stream', () => {
    const bytes = syntheticWebm({ seconds: 3 })
    const torn = bytes.subarray(0, bytes.length - 150)
    const scan = scanInPieces(torn, [])
    expect(scan.completeEnd).toBeLessThan(torn.length)
    // Everything up to the cut parses again as whole elements.
    const again = scanInPieces(torn.subarray(0, scan.completeEnd), [])
    expect(again.completeEnd).toBe(scan.completeEnd)
  })

  it('refuses a stream that is not EBML', () => {
    expect(() => new WebmScanner().push(new TextEncoder().encode('<!doctype html>'))).toThrow()
  })
})
