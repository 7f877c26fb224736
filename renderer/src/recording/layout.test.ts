import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { bitratesFor, pickMimeType } from './codec'
import { coverCrop, gridLayout, speakerLayout, type Rect } from './layout'

const overlap = (a: Rect, b: Rect): boolean =>
  a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h

describe('layouts', () => {
  it('grid: one tile per participant, inside the canvas, none overlapping, all the same size', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 25 }),
        fc.integer({ min: 320, max: 3840 }),
        fc.integer({ min: 240, max: 2160 }),
        (n, w, h) => {
          const rects = gridLayout(n, w, h)
          expect(rects).toHaveLength(n)
          for (const r of rects) {
            expect(r.x).toBeGreaterThanOrEqual(0)
            expect(r.y).toBeGreaterThanOrEqual(0)
            expect(r.x + r.w).toBeLessThanOrEqual(w)
            expect(r.y + r.h).toBeLessThanOrEqual(h)
            expect(Math.abs(r.w - rects[0]!.w)).toBeLessThanOrEqual(1)
          }
          for (let i = 0; i < n; i++)
            for (let j = i + 1; j < n; j++) expect(overlap(rects[i]!, rects[j]!)).toBe(false)
        },
      ),
    )
  })

  it('grid of 3 at 720p: two on top, one centred below', () => {
    const [a, b, c] = gridLayout(3, 1280, 720)
    expect(a!.y).toBe(b!.y)
    expect(c!.y).toBeGreaterThan(a!.y)
    expect(Math.abs(c!.x + c!.w / 2 - 640)).toBeLessThanOrEqual(1)
  })

  it('speaker: the focus takes most of the canvas, the rest share a strip', () => {
    const rects = speakerLayout(4, 1280, 720)
    expect(rects[0]!.w * rects[0]!.h).toBeGreaterThan(0.5 * 1280 * 720)
    for (const r of rects.slice(1)) {
      expect(overlap(r, rects[0]!)).toBe(false)
      expect(r.y + r.h).toBeLessThanOrEqual(720)
    }
    expect(speakerLayout(1, 1280, 720)).toEqual(gridLayout(1, 1280, 720))
  })

  it('cover crop keeps the aspect ratio of the destination', () => {
    const crop = coverCrop(640, 480, { x: 0, y: 0, w: 320, h: 180 })
    expect(crop.sw / crop.sh).toBeCloseTo(320 / 180, 5)
    expect(crop.sw).toBe(640)
    expect(crop.sy).toBe((480 - crop.sh) / 2)
  })
})

describe('codec choice', () => {
  it('prefers VP9, then VP8, then plain WebM, and has none without WebM', () => {
    expect(pickMimeType(() => true)).toBe('video/webm;codecs=vp9,opus')
    expect(pickMimeType((t) => !t.includes('vp9'))).toBe('video/webm;codecs=vp8,opus')
    expect(pickMimeType((t) => t === 'video/webm')).toBe('video/webm')
    expect(pickMimeType((t) => t.startsWith('video/mp4'))).toBeNull()
  })

  it('keeps 720p under the 20 MB/min goal and scales up to a cap', () => {
    const { video, audio } = bitratesFor(1280, 720)
    expect(((video + audio) * 60) / 8 / 1e6).toBeLessThanOrEqual(20)
    expect(bitratesFor(3840, 2160).video).toBe(4_000_000)
    expect(bitratesFor(320, 180).video).toBe(600_000)
  })
})
