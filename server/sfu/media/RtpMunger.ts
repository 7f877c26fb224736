/** What the munger needs from an incoming packet. */
export interface MungerInput {
  readonly ssrc: number
  readonly sequenceNumber: number
  readonly timestamp: number
  /** A padding-only packet (no payload after the padding is removed). */
  readonly padding: boolean
}

export interface MungerOutput {
  readonly sequenceNumber: number
  readonly timestamp: number
}

/** Packets older than this many sequence numbers behind the newest are dropped instead of mapped. */
const MAX_AGE = 2048

interface SourceState {
  readonly ssrc: number
  /** Extended (unwrapped) sequence number of the first packet taken from this source. */
  readonly firstExt: number
  highestExt: number
  /** Sequence offsets by extended input sequence, ascending; the last entry is the current one. */
  readonly offsets: { from: number; offset: number }[]
  readonly timestampOffset: number
}

/**
 * Rewrites sequence numbers and timestamps of one forwarded stream so the subscriber sees a single continuous
 * RTP stream, whatever happens upstream:
 * - padding-only packets (Chromium's bandwidth probes) are dropped and the following sequence numbers shifted
 *   back, so the subscriber sees no gap and sends no NACK for them;
 * - a switch to another SSRC (simulcast layer or a different source track) continues the output sequence at
 *   +1 and the timestamp at the wall-clock distance since the last packet.
 * Late packets (retransmissions, reordering) map through the offset that was in force at their sequence number.
 * The caller decides *when* a switch may happen (on a keyframe); this class only keeps the numbers right.
 */
export class RtpMunger {
  private source: SourceState | undefined
  private started = false
  private highestOutExt = 0
  private lastOutTimestamp = 0
  private lastOutAt = 0

  constructor(private readonly clockRate: number) {}

  /** The output numbers for this packet, or undefined to drop it. `nowMs` is a monotonic clock. */
  rewrite(p: MungerInput, nowMs: number): MungerOutput | undefined {
    let src = this.source
    if (!src || src.ssrc !== p.ssrc) {
      if (p.padding) return undefined
      src = this.startSource(p, nowMs)
    }
    const ext = unwrap(src.highestExt, p.sequenceNumber)
    if (ext < src.firstExt || ext < src.highestExt - MAX_AGE) return undefined
    if (p.padding) {
      // Only padding that arrives in order can be cut out cleanly; a late one maps onto a slot already used.
      if (ext > src.highestExt) {
        src.highestExt = ext
        const current = src.offsets[src.offsets.length - 1]!.offset
        src.offsets.push({ from: ext + 1, offset: current - 1 })
        this.prune(src)
      }
      return undefined
    }
    if (ext > src.highestExt) src.highestExt = ext
    const outExt = ext + offsetAt(src.offsets, ext)
    const timestamp = (p.timestamp + src.timestampOffset) >>> 0
    if (outExt > this.highestOutExt || !this.started) {
      this.highestOutExt = outExt
      this.lastOutTimestamp = timestamp
      this.lastOutAt = nowMs
      this.started = true
    }
    return { sequenceNumber: mod16(outExt), timestamp }
  }

  /** Whether any packet has been sent yet. */
  get hasOutput(): boolean {
    return this.started
  }

  private startSource(p: MungerInput, nowMs: number): SourceState {
    // The first source passes through unchanged; later ones continue where the output stands.
    const firstExt = p.sequenceNumber
    let offset = 0
    let timestampOffset = 0
    if (this.started) {
      offset = this.highestOutExt + 1 - firstExt
      const elapsed = Math.max(1, Math.round(((nowMs - this.lastOutAt) * this.clockRate) / 1000))
      timestampOffset = (this.lastOutTimestamp + elapsed - p.timestamp) >>> 0
    }
    const src: SourceState = {
      ssrc: p.ssrc,
      firstExt,
      highestExt: firstExt - 1,
      offsets: [{ from: firstExt, offset }],
      timestampOffset,
    }
    this.source = src
    return src
  }

  private prune(src: SourceState): void {
    if (src.offsets.length < 64) return
    const horizon = src.highestExt - MAX_AGE
    let keep = 0
    while (keep + 1 < src.offsets.length && src.offsets[keep + 1]!.from <= horizon) keep++
    if (keep > 0) src.offsets.splice(0, keep)
  }
}

/** The extended sequence number of `seq` nearest to `highest`. */
export function unwrap(highest: number, seq: number): number {
  const delta = ((seq - mod16(highest) + 0x8000) & 0xffff) - 0x8000
  return highest + delta
}

function mod16(n: number): number {
  return ((n % 0x10000) + 0x10000) % 0x10000
}

function offsetAt(offsets: readonly { from: number; offset: number }[], ext: number): number {
  for (let i = offsets.length - 1; i > 0; i--) {
    if (offsets[i]!.from <= ext) return offsets[i]!.offset
  }
  return offsets[0]!.offset
}
