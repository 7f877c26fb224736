import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  encodeId,
  encodeSize,
  floatElement,
  Id,
  readFloat,
  readId,
  readSize,
  uintElement,
  UNKNOWN_SIZE,
  UNKNOWN_SIZE_8,
  voidElement,
} from './ebml'

describe('EBML primitives', () => {
  it('round-trips sizes at the smallest width and at any width they fit', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 48 }), fc.integer({ min: 1, max: 8 }), (value, width) => {
        const auto = encodeSize(value)
        expect(readSize(auto, 0)).toEqual({ value, length: auto.length })
        if (value < 2 ** (7 * width) - 1) {
          const fixed = encodeSize(value, width)
          expect(fixed.length).toBe(width)
          expect(readSize(fixed, 0)).toEqual({ value, length: width })
        } else {
          expect(() => encodeSize(value, width)).toThrow()
        }
      }),
    )
  })

  it('reads the all-ones size as unknown, and returns null when bytes are missing', () => {
    expect(readSize(UNKNOWN_SIZE_8, 0)).toEqual({ value: UNKNOWN_SIZE, length: 8 })
    expect(readSize(Uint8Array.of(0xff), 0)).toEqual({ value: UNKNOWN_SIZE, length: 1 })
    expect(readSize(UNKNOWN_SIZE_8.subarray(0, 5), 0)).toBeNull()
    expect(readId(Uint8Array.of(0x1a, 0x45), 0)).toBeNull()
  })

  it('round-trips element IDs of 1 to 4 bytes', () => {
    for (const id of [Id.Void, Id.Seek, Id.TimecodeScale, Id.Cluster, Id.Segment]) {
      expect(readId(encodeId(id), 0)).toEqual({ value: id, length: encodeId(id).length })
    }
    expect(() => readId(Uint8Array.of(0x00), 0)).toThrow()
  })

  it('builds Void elements of exactly the requested size', () => {
    for (const total of [2, 3, 11, 127, 128, 129, 130, 5000]) {
      const v = voidElement(total)
      expect(v.length).toBe(total)
      const size = readSize(v, 1)!
      expect(1 + size.length + size.value).toBe(total)
    }
    expect(() => voidElement(1)).toThrow()
  })

  it('encodes Duration as an 11-byte float element and fixed-width uints', () => {
    const d = floatElement(Id.Duration, 12345.5)
    expect(d.length).toBe(11)
    expect(readFloat(d, 3, 8)).toBe(12345.5)
    expect(uintElement(Id.SeekPosition, 5, 8).length).toBe(2 + 1 + 8)
  })
})
