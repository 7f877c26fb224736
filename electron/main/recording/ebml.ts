/**
 * The small slice of EBML (the binary format under Matroska/WebM) that recording needs: reading element IDs and
 * sizes, and encoding the few elements finalisation writes (SeekHead, Duration, Cues, Void). Written here
 * instead of taken from ts-ebml because finalisation patches the file in place and must never decode it whole.
 */

/** Element IDs, with their length-marker bits kept, as they appear on disk. */
export const Id = {
  EBML: 0x1a45dfa3,
  Segment: 0x18538067,
  SeekHead: 0x114d9b74,
  Seek: 0x4dbb,
  SeekID: 0x53ab,
  SeekPosition: 0x53ac,
  Info: 0x1549a966,
  TimecodeScale: 0x2ad7b1,
  Duration: 0x4489,
  Tracks: 0x1654ae6b,
  TrackEntry: 0xae,
  TrackNumber: 0xd7,
  TrackType: 0x83,
  CodecID: 0x86,
  Video: 0xe0,
  PixelWidth: 0xb0,
  PixelHeight: 0xba,
  Cluster: 0x1f43b675,
  Timecode: 0xe7,
  SimpleBlock: 0xa3,
  BlockGroup: 0xa0,
  Block: 0xa1,
  ReferenceBlock: 0xfb,
  Cues: 0x1c53bb6b,
  CuePoint: 0xbb,
  CueTime: 0xb3,
  CueTrackPositions: 0xb7,
  CueTrack: 0xf7,
  CueClusterPosition: 0xf1,
  Void: 0xec,
  Tags: 0x1254c367,
  Chapters: 0x1043a770,
  Attachments: 0x1941a469,
} as const

/** Children of a Segment. Seeing one of these ends an unknown-size Cluster. */
export const TOP_LEVEL_IDS: ReadonlySet<number> = new Set([
  Id.SeekHead,
  Id.Info,
  Id.Tracks,
  Id.Cluster,
  Id.Cues,
  Id.Tags,
  Id.Chapters,
  Id.Attachments,
])

/** The "unknown size" marker for a given vint width: all value bits set. */
export const UNKNOWN_SIZE = -1

export class EbmlError extends Error {
  override readonly name = 'EbmlError'
}

export interface Vint {
  readonly value: number
  readonly length: number
}

function vintLength(first: number): number {
  for (let i = 0; i < 8; i++) if (first & (0x80 >> i)) return i + 1
  throw new EbmlError('invalid EBML variable-length integer (first byte is 0)')
}

/** An element ID at `pos` (marker bits kept), or null when the buffer ends first. */
export function readId(buf: Uint8Array, pos: number): Vint | null {
  if (pos >= buf.length) return null
  const length = vintLength(buf[pos]!)
  if (length > 4) throw new EbmlError('element ID longer than 4 bytes')
  if (pos + length > buf.length) return null
  let value = 0
  for (let i = 0; i < length; i++) value = value * 256 + buf[pos + i]!
  return { value, length }
}

/** An element data size at `pos` (UNKNOWN_SIZE when all bits are set), or null when the buffer ends first. */
export function readSize(buf: Uint8Array, pos: number): Vint | null {
  if (pos >= buf.length) return null
  const length = vintLength(buf[pos]!)
  if (pos + length > buf.length) return null
  let value = buf[pos]! & (0xff >> length)
  let allOnes = value === 0xff >> length
  for (let i = 1; i < length; i++) {
    const b = buf[pos + i]!
    if (b !== 0xff) allOnes = false
    value = value * 256 + b
  }
  return { value: allOnes ? UNKNOWN_SIZE : value, length }
}

export function readUint(buf: Uint8Array, start: number, length: number): number {
  let value = 0
  for (let i = 0; i < length; i++) value = value * 256 + buf[start + i]!
  return value
}

export function readFloat(buf: Uint8Array, start: number, length: number): number {
  const view = new DataView(buf.buffer, buf.byteOffset + start, length)
  if (length === 4) return view.getFloat32(0)
  if (length === 8) return view.getFloat64(0)
  return 0
}

export function encodeId(id: number): Uint8Array {
  const bytes: number[] = []
  for (let v = id; v > 0; v = Math.floor(v / 256)) bytes.unshift(v % 256)
  return Uint8Array.from(bytes)
}

/** A data size as a vint of exactly `width` bytes (1-8), or the smallest width that fits. */
export function encodeSize(value: number, width?: number): Uint8Array {
  let length = width ?? 1
  if (width === undefined) while (value >= 2 ** (7 * length) - 1) length++
  if (length > 8 || value >= 2 ** (7 * length) - 1)
    throw new EbmlError(`size ${value} does not fit ${length} bytes`)
  const out = new Uint8Array(length)
  let v = value
  for (let i = length - 1; i >= 0; i--) {
    out[i] = v % 256
    v = Math.floor(v / 256)
  }
  out[0]! |= 0x80 >> (length - 1)
  return out
}

/** The 8-byte "unknown size" vint that MediaRecorder writes for live Segments and Clusters. */
export const UNKNOWN_SIZE_8 = Uint8Array.of(0x01, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff)

export function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let at = 0
  for (const p of parts) {
    out.set(p, at)
    at += p.length
  }
  return out
}

export function element(id: number, data: Uint8Array, sizeWidth?: number): Uint8Array {
  return concat([encodeId(id), encodeSize(data.length, sizeWidth), data])
}

/** Unsigned integer element; `width` forces a fixed data width (for fields patched later). */
export function uintElement(id: number, value: number, width?: number): Uint8Array {
  let length = width ?? 1
  if (width === undefined) while (value >= 2 ** (8 * length)) length++
  const data = new Uint8Array(length)
  let v = value
  for (let i = length - 1; i >= 0; i--) {
    data[i] = v % 256
    v = Math.floor(v / 256)
  }
  return element(id, data)
}

export function floatElement(id: number, value: number): Uint8Array {
  const data = new Uint8Array(8)
  new DataView(data.buffer).setFloat64(0, value)
  return element(id, data)
}

export function masterElement(id: number, children: readonly Uint8Array[]): Uint8Array {
  return element(id, concat(children))
}

/** A Void element occupying exactly `total` bytes (at least 2): reserved space a later write can fill. */
export function voidElement(total: number): Uint8Array {
  if (total < 2) throw new EbmlError('a Void element needs at least 2 bytes')
  // 1-byte size covers up to 126 data bytes; beyond that use an 8-byte size so any total >= 9 fits.
  const sizeWidth = total - 2 <= 126 ? 1 : 8
  const out = new Uint8Array(total)
  out[0] = Id.Void
  out.set(encodeSize(total - 1 - sizeWidth, sizeWidth), 1)
  return out
}
