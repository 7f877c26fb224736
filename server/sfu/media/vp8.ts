/**
 * The VP8 RTP payload descriptor (RFC 7741 §4.2), read once per packet by the SFU: whether the packet starts a
 * keyframe (for keyframe gating and layer switching) and where the picture id and TL0PICIDX sit (so a layer or
 * source switch can keep them continuous for the decoder).
 */
export interface Vp8Descriptor {
  /** Bytes before the VP8 payload proper. */
  readonly size: number
  /** S bit with partition 0: the first packet of a frame. */
  readonly frameStart: boolean
  /** The first packet of a keyframe (S=1, PID=0, and the payload header's P bit clear). */
  readonly keyframe: boolean
  readonly pictureId?: number
  /** 7 or 15. */
  readonly pictureIdBits?: 7 | 15
  readonly pictureIdOffset?: number
  readonly tl0PicIdx?: number
  readonly tl0PicIdxOffset?: number
}

/** undefined when the payload is too short to hold a descriptor (padding, garbage). */
export function parseVp8(payload: Uint8Array): Vp8Descriptor | undefined {
  if (payload.length < 1) return undefined
  const b0 = payload[0]!
  const extended = (b0 & 0x80) !== 0
  const start = (b0 & 0x10) !== 0
  const partition = b0 & 0x07
  let i = 1
  let pictureId: number | undefined
  let pictureIdBits: 7 | 15 | undefined
  let pictureIdOffset: number | undefined
  let tl0PicIdx: number | undefined
  let tl0PicIdxOffset: number | undefined
  if (extended) {
    if (payload.length < 2) return undefined
    const x = payload[1]!
    i = 2
    if (x & 0x80) {
      if (payload.length < i + 1) return undefined
      pictureIdOffset = i
      if (payload[i]! & 0x80) {
        if (payload.length < i + 2) return undefined
        pictureId = ((payload[i]! & 0x7f) << 8) | payload[i + 1]!
        pictureIdBits = 15
        i += 2
      } else {
        pictureId = payload[i]! & 0x7f
        pictureIdBits = 7
        i += 1
      }
    }
    if (x & 0x40) {
      if (payload.length < i + 1) return undefined
      tl0PicIdxOffset = i
      tl0PicIdx = payload[i]!
      i += 1
    }
    if (x & 0x30) i += 1
  }
  if (payload.length <= i) return undefined
  const frameStart = start && partition === 0
  // The VP8 payload header's first byte: bit 0 is the inverse keyframe flag (RFC 6386 §9.1).
  const keyframe = frameStart && (payload[i]! & 0x01) === 0
  return {
    size: i,
    frameStart,
    keyframe,
    ...(pictureId !== undefined ? { pictureId, pictureIdBits, pictureIdOffset } : {}),
    ...(tl0PicIdx !== undefined ? { tl0PicIdx, tl0PicIdxOffset } : {}),
  }
}

/**
 * Keeps VP8 picture ids and TL0PICIDX continuous across a source or simulcast-layer switch: each layer numbers
 * its pictures independently, and libwebrtc's frame buffer drops frames whose ids jump backwards. Identity until
 * the first switch, so the common case copies nothing.
 */
export class Vp8Munger {
  private pidOffset = 0
  private tl0Offset = 0
  private lastPid: number | undefined
  private lastTl0: number | undefined
  private switchPending = false

  /** Call when the next packet comes from a new source (it must start a keyframe). */
  switchSource(): void {
    this.switchPending = true
  }

  /** The payload to send: the same buffer, or a rewritten copy when offsets apply. */
  rewrite(payload: Buffer, d: Vp8Descriptor | undefined): Buffer {
    if (!d) return payload
    if (this.switchPending) {
      this.switchPending = false
      if (d.pictureId !== undefined && this.lastPid !== undefined) {
        this.pidOffset = (this.lastPid + 1 - d.pictureId) & 0x7fff
      }
      if (d.tl0PicIdx !== undefined && this.lastTl0 !== undefined) {
        this.tl0Offset = (this.lastTl0 + 1 - d.tl0PicIdx) & 0xff
      }
    }
    let out = payload
    if (d.pictureId !== undefined && d.pictureIdOffset !== undefined) {
      const mask = d.pictureIdBits === 7 ? 0x7f : 0x7fff
      const pid = (d.pictureId + this.pidOffset) & mask
      this.lastPid = pid
      if (this.pidOffset !== 0) {
        out = Buffer.from(payload)
        if (d.pictureIdBits === 7) out[d.pictureIdOffset] = pid & 0x7f
        else {
          out[d.pictureIdOffset] = 0x80 | (pid >> 8)
          out[d.pictureIdOffset + 1] = pid & 0xff
        }
      }
    }
    if (d.tl0PicIdx !== undefined && d.tl0PicIdxOffset !== undefined) {
      const tl0 = (d.tl0PicIdx + this.tl0Offset) & 0xff
      this.lastTl0 = tl0
      if (this.tl0Offset !== 0) {
        if (out === payload) out = Buffer.from(payload)
        out[d.tl0PicIdxOffset] = tl0
      }
    }
    return out
  }
}
