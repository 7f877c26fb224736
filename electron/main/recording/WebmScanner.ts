import { EbmlError, Id, readFloat, readId, readSize, readUint, TOP_LEVEL_IDS, UNKNOWN_SIZE } from './ebml'

/** Where an element sits in the file, in absolute byte offsets. */
export interface Span {
  readonly start: number
  readonly end: number
}

export interface TrackInfo {
  readonly number: number
  /** 1 video, 2 audio (Matroska TrackType). */
  readonly type: number
  readonly codec: string
  readonly width?: number
  readonly height?: number
}

export interface ClusterInfo {
  readonly start: number
  /** Offset of the size field, and its width: an 8-byte unknown size can be patched in place. */
  readonly sizeAt: number
  readonly sizeLength: number
  readonly sizeKnown: boolean
  readonly dataStart: number
  /** Cluster timecode in TimecodeScale ticks. */
  timecode: number
  /** Time of the first video keyframe in this cluster, in ticks; undefined when it holds none. */
  keyframeTime: number | undefined
}

export interface SegmentInfo {
  readonly start: number
  readonly sizeAt: number
  readonly sizeLength: number
  readonly dataStart: number
}

/** Void elements that our writer reserves so finalisation can fill them in place. */
export interface Reserves {
  /** A level-1 Void before the first Cluster: room for the SeekHead. */
  seekHead?: Span
  /** A Void inside Info: room for the Duration element. */
  duration?: Span
}

interface Open {
  readonly id: number
  /** Absolute end offset, or null for unknown size. */
  readonly end: number | null
}

/** What a SimpleBlock or Block header says, from its first bytes. */
interface BlockHead {
  readonly track: number
  readonly relative: number
  readonly keyframe: boolean
}

const MAX_BUFFERED_ELEMENT = 4 * 1024 * 1024
const BLOCK_HEAD_BYTES = 12

/**
 * A push parser over a WebM byte stream that keeps only what finalisation needs (header layout, tracks, cluster
 * positions, keyframe times, the last timestamp) and skips block payloads without buffering them, so it can
 * follow a live recording chunk by chunk or walk an hour-long file in constant memory.
 */
export class WebmScanner {
  /** Absolute offset of the next byte this scanner has not consumed. */
  private pos = 0
  private pending = new Uint8Array(0)
  private pendingStart = 0
  private skip = 0
  private readonly stack: Open[] = []
  private group: { track: number; relative: number; keyframe: boolean } | null = null

  ebmlHeader: Span | undefined
  segment: SegmentInfo | undefined
  info: (Span & { timecodeScale: number; durationMs: number | undefined }) | undefined
  tracksSpan: Span | undefined
  cuesSpan: Span | undefined
  readonly tracks: TrackInfo[] = []
  readonly clusters: ClusterInfo[] = []
  readonly reserves: Reserves = {}
  /** Non-cluster level-1 elements seen before the first Cluster, in order. */
  readonly headerElements: Array<Span & { id: number }> = []
  /** Largest block end time seen per track, in ticks (block time + the last gap seen on that track). */
  private readonly lastTime = new Map<number, { time: number; gap: number }>()
  /** End of the last complete element at cluster-child level or above: a safe place to cut a torn file. */
  completeEnd = 0

  get firstClusterStart(): number | undefined {
    return this.clusters[0]?.start
  }

  get timecodeScale(): number {
    return this.info?.timecodeScale ?? 1_000_000
  }

  get videoTrack(): TrackInfo | undefined {
    return this.tracks.find((t) => t.type === 1)
  }

  /** Media end time in milliseconds: the last block's time plus one typical frame gap on its track. */
  get durationMs(): number {
    let ticks = 0
    for (const { time, gap } of this.lastTime.values()) ticks = Math.max(ticks, time + gap)
    return (ticks * this.timecodeScale) / 1e6
  }

  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return
    if (this.skip > 0) {
      const n = Math.min(this.skip, chunk.length)
      this.skip -= n
      this.pos += n
      this.pendingStart = this.pos
      chunk = chunk.subarray(n)
      if (this.skip > 0) return
      // Even with nothing left, drain: finishing this payload may close its BlockGroup.
      this.atBoundary()
    }
    const rest = this.pending.subarray(this.pos - this.pendingStart)
    const merged = new Uint8Array(rest.length + chunk.length)
    merged.set(rest)
    merged.set(chunk, rest.length)
    this.pending = merged
    this.pendingStart = this.pos
    this.drain()
  }

  private drain(): void {
    for (;;) {
      if (this.skip > 0) {
        const available = this.pendingStart + this.pending.length - this.pos
        const n = Math.min(this.skip, available)
        this.skip -= n
        this.pos += n
        if (this.skip > 0) {
          this.pending = new Uint8Array(0)
          this.pendingStart = this.pos
          return
        }
        this.atBoundary()
      }
      this.closeFinished()
      const buf = this.pending
      const at = this.pos - this.pendingStart
      const id = readId(buf, at)
      if (!id) return this.compact()
      const size = readSize(buf, at + id.length)
      if (!size) return this.compact()
      const headerLength = id.length + size.length
      const start = this.pos
      const dataStart = start + headerLength
      // An unknown-size Cluster ends where its parent's next child begins.
      let parent = this.stack.at(-1)
      while (parent && parent.end === null && parent.id === Id.Cluster && TOP_LEVEL_IDS.has(id.value)) {
        this.stack.pop()
        parent = this.stack.at(-1)
      }
      const end = size.value === UNKNOWN_SIZE ? null : dataStart + size.value
      const parentId = parent?.id
      if (parentId === undefined) {
        if (id.value === Id.EBML) {
          if (!this.whole(buf, at, headerLength, size.value)) return this.compact()
          this.ebmlHeader = { start, end: end! }
          this.advance(end! - start)
          continue
        }
        if (id.value === Id.Segment) {
          this.segment = { start, sizeAt: start + id.length, sizeLength: size.length, dataStart }
          this.stack.push({ id: Id.Segment, end })
          this.advance(headerLength)
          continue
        }
        throw new EbmlError(`unexpected top-level element 0x${id.value.toString(16)}`)
      }
      if (parentId === Id.Segment) {
        if (id.value === Id.Cluster) {
          this.clusters.push({
            start,
            sizeAt: start + id.length,
            sizeLength: size.length,
            sizeKnown: end !== null,
            dataStart,
            timecode: 0,
            keyframeTime: undefined,
          })
          this.stack.push({ id: Id.Cluster, end })
          this.advance(headerLength)
          continue
        }
        if (end === null) throw new EbmlError('only Segment and Cluster may have an unknown size')
        const beforeClusters = this.clusters.length === 0
        if (beforeClusters) this.headerElements.push({ id: id.value, start, end })
        if (id.value === Id.Info || id.value === Id.Tracks) {
          if (!this.whole(buf, at, headerLength, size.value)) return this.compact()
          const body = buf.subarray(at + headerLength, at + headerLength + size.value)
          if (id.value === Id.Info) this.parseInfo(body, start, dataStart, end)
          else this.parseTracks(body, start, end)
          this.advance(end - start)
          continue
        }
        if (id.value === Id.Void && beforeClusters && !this.info && !this.reserves.seekHead) {
          this.reserves.seekHead = { start, end }
        }
        if (id.value === Id.Cues) this.cuesSpan = { start, end }
        this.skipElement(headerLength, size.value)
        continue
      }
      if (parentId === Id.Cluster) {
        const cluster = this.clusters.at(-1)!
        if (id.value === Id.Timecode) {
          if (!this.whole(buf, at, headerLength, size.value)) return this.compact()
          cluster.timecode = readUint(buf, at + headerLength, size.value)
          this.advance(end! - start)
          continue
        }
        if (id.value === Id.SimpleBlock) {
          const head = this.blockHead(buf, at + headerLength, size.value)
          if (head === null) return this.compact()
          this.noteBlock(cluster, head)
          this.skipElement(headerLength, size.value)
          continue
        }
        if (id.value === Id.BlockGroup && end !== null) {
          this.group = null
          this.stack.push({ id: Id.BlockGroup, end })
          this.advance(headerLength)
          continue
        }
        this.skipElement(headerLength, size.value)
        continue
      }
      if (parentId === Id.BlockGroup) {
        if (id.value === Id.Block) {
          const head = this.blockHead(buf, at + headerLength, size.value)
          if (head === null) return this.compact()
          // Within a BlockGroup, a block is a keyframe unless a ReferenceBlock says otherwise.
          this.group = { track: head.track, relative: head.relative, keyframe: true }
        } else if (id.value === Id.ReferenceBlock && this.group) {
          this.group.keyframe = false
        }
        this.skipElement(headerLength, size.value)
        continue
      }
      this.skipElement(headerLength, size.value)
    }
  }

  /** Pop containers whose known end we reached; a finished BlockGroup counts as one block. */
  private closeFinished(): void {
    for (
      let top = this.stack.at(-1);
      top && top.end !== null && top.end <= this.pos;
      top = this.stack.at(-1)
    ) {
      this.stack.pop()
      if (top.id === Id.BlockGroup && this.group) {
        const cluster = this.clusters.at(-1)
        if (cluster) this.noteBlock(cluster, this.group)
        this.group = null
      }
      this.atBoundary()
    }
  }

  private atBoundary(): void {
    const depth = this.stack.length
    const top = this.stack.at(-1)
    // Inside a BlockGroup is not a clean cut: the group's header promises bytes that would be missing.
    if (depth <= 2 && top?.id !== Id.BlockGroup) this.completeEnd = this.pos
  }

  private whole(buf: Uint8Array, at: number, headerLength: number, size: number): boolean {
    if (size === UNKNOWN_SIZE || size > MAX_BUFFERED_ELEMENT) throw new EbmlError('header element too large')
    return at + headerLength + size <= buf.length
  }

  private blockHead(buf: Uint8Array, at: number, size: number): BlockHead | null {
    if (size === UNKNOWN_SIZE) throw new EbmlError('block with unknown size')
    const need = Math.min(size, BLOCK_HEAD_BYTES)
    if (at + need > buf.length) return null
    const track = readSize(buf, at)
    if (!track || track.length + 3 > size) throw new EbmlError('block header too short')
    const p = at + track.length
    const relative = (((buf[p]! << 8) | buf[p + 1]!) << 16) >> 16
    return { track: track.value, relative, keyframe: (buf[p + 2]! & 0x80) !== 0 }
  }

  private noteBlock(cluster: ClusterInfo, head: BlockHead): void {
    const time = cluster.timecode + head.relative
    const last = this.lastTime.get(head.track)
    if (!last) this.lastTime.set(head.track, { time, gap: 0 })
    else if (time >= last.time) this.lastTime.set(head.track, { time, gap: time - last.time || last.gap })
    const video = this.videoTrack
    if (video && head.track === video.number && head.keyframe && cluster.keyframeTime === undefined) {
      cluster.keyframeTime = time
    }
  }

  private advance(n: number): void {
    this.pos += n
    this.atBoundary()
  }

  private skipElement(headerLength: number, size: number): void {
    if (size === UNKNOWN_SIZE) throw new EbmlError('cannot skip an element of unknown size')
    this.pos += headerLength
    this.skip = size
    if (size === 0) this.atBoundary()
  }

  /** Drop consumed bytes so the buffer holds only the unfinished element. */
  private compact(): void {
    const at = this.pos - this.pendingStart
    if (at > 0) {
      this.pending = this.pending.slice(at)
      this.pendingStart = this.pos
    }
  }

  private parseInfo(body: Uint8Array, start: number, dataStart: number, end: number): void {
    let timecodeScale = 1_000_000
    let durationMs: number | undefined
    forEachChild(body, (id, at, length, headerAt) => {
      if (id === Id.TimecodeScale) timecodeScale = readUint(body, at, length)
      else if (id === Id.Duration) durationMs = readFloat(body, at, length)
      else if (id === Id.Void && !this.reserves.duration) {
        this.reserves.duration = { start: dataStart + headerAt, end: dataStart + at + length }
      }
    })
    // Duration is stored in TimecodeScale ticks.
    if (durationMs !== undefined) durationMs = (durationMs * timecodeScale) / 1e6
    this.info = { start, end, timecodeScale, durationMs }
  }

  private parseTracks(body: Uint8Array, start: number, end: number): void {
    this.tracksSpan = { start, end }
    forEachChild(body, (id, at, length) => {
      if (id !== Id.TrackEntry) return
      const entry = body.subarray(at, at + length)
      let number = 0
      let type = 0
      let codec = ''
      let width: number | undefined
      let height: number | undefined
      forEachChild(entry, (cid, cat, clen) => {
        if (cid === Id.TrackNumber) number = readUint(entry, cat, clen)
        else if (cid === Id.TrackType) type = readUint(entry, cat, clen)
        else if (cid === Id.CodecID) codec = new TextDecoder().decode(entry.subarray(cat, cat + clen))
        else if (cid === Id.Video) {
          const video = entry.subarray(cat, cat + clen)
          forEachChild(video, (vid, vat, vlen) => {
            if (vid === Id.PixelWidth) width = readUint(video, vat, vlen)
            else if (vid === Id.PixelHeight) height = readUint(video, vat, vlen)
          })
        }
      })
      this.tracks.push({ number, type, codec, ...(width ? { width } : {}), ...(height ? { height } : {}) })
    })
  }
}

/** Visit each child of a fully buffered master element's body: (id, data offset, data length, header offset). */
export function forEachChild(
  body: Uint8Array,
  visit: (id: number, at: number, length: number, headerAt: number) => void,
): void {
  let at = 0
  while (at < body.length) {
    const id = readId(body, at)
    const size = id && readSize(body, at + id.length)
    if (!id || !size || size.value === UNKNOWN_SIZE) throw new EbmlError('truncated header element')
    const dataAt = at + id.length + size.length
    if (dataAt + size.value > body.length) throw new EbmlError('child overruns its parent')
    visit(id.value, dataAt, size.value, at)
    at = dataAt + size.value
  }
}
