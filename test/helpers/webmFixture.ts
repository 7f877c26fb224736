import {
  concat,
  element,
  encodeId,
  Id,
  masterElement,
  uintElement,
  UNKNOWN_SIZE_8,
} from '../../electron/main/recording/ebml'

export interface SyntheticWebmOptions {
  readonly seconds: number
  readonly clusterMs?: number
  readonly keyframeEveryMs?: number
  readonly fps?: number
  /** Bytes of fake payload per video frame. */
  readonly frameBytes?: number
  /** Write video frames as BlockGroups (as Chromium does for canvases with alpha) instead of SimpleBlocks. */
  readonly blockGroups?: boolean
  readonly width?: number
  readonly height?: number
}

const text = (s: string): Uint8Array => new TextEncoder().encode(s)

/**
 * A WebM byte stream shaped like Chromium's MediaRecorder output (unknown-size Segment and Clusters, no
 * Duration, no Cues, VP9 track 1 and Opus track 2), with fake payloads: enough for the scanner and writer,
 * not for a decoder.
 */
export function syntheticWebm(options: SyntheticWebmOptions): Uint8Array {
  return concat([...syntheticWebmParts(options)])
}

/** The same stream as `syntheticWebm`, one piece at a time (header, then one Cluster per piece), for big files. */
export function* syntheticWebmParts(options: SyntheticWebmOptions): Generator<Uint8Array> {
  const clusterMs = options.clusterMs ?? 1000
  const keyEvery = options.keyframeEveryMs ?? 2000
  const fps = options.fps ?? 30
  const frameBytes = options.frameBytes ?? 200
  const header = masterElement(Id.EBML, [
    uintElement(0x4286, 1),
    uintElement(0x42f7, 1),
    uintElement(0x42f2, 4),
    uintElement(0x42f3, 8),
    element(0x4282, text('webm')),
    uintElement(0x4287, 4),
    uintElement(0x4285, 2),
  ])
  const info = masterElement(Id.Info, [
    uintElement(Id.TimecodeScale, 1_000_000),
    element(0x4d80, text('synthetic')),
    element(0x5741, text('synthetic')),
  ])
  const tracks = masterElement(Id.Tracks, [
    masterElement(Id.TrackEntry, [
      uintElement(Id.TrackNumber, 1),
      uintElement(0x73c5, 1),
      uintElement(Id.TrackType, 1),
      element(Id.CodecID, text('V_VP9')),
      masterElement(Id.Video, [
        uintElement(Id.PixelWidth, options.width ?? 640),
        uintElement(Id.PixelHeight, options.height ?? 360),
      ]),
    ]),
    masterElement(Id.TrackEntry, [
      uintElement(Id.TrackNumber, 2),
      uintElement(0x73c5, 2),
      uintElement(Id.TrackType, 2),
      element(Id.CodecID, text('A_OPUS')),
    ]),
  ])
  yield concat([header, encodeId(Id.Segment), UNKNOWN_SIZE_8, info, tracks])
  const totalMs = options.seconds * 1000
  // Integer frame times, so a frame's cluster never depends on floating-point rounding.
  const frameTimes: number[] = []
  for (let n = 0; Math.round((n * 1000) / fps) < totalMs; n++) frameTimes.push(Math.round((n * 1000) / fps))
  let nextKey = 0
  for (let start = 0; start < totalMs; start += clusterMs) {
    const end = Math.min(start + clusterMs, totalMs)
    const blocks: Array<{ time: number; bytes: Uint8Array }> = []
    for (const time of frameTimes.filter((t) => t >= start && t < end)) {
      const key = time >= nextKey
      if (key) nextKey += keyEvery
      blocks.push({ time, bytes: videoBlock(time - start, key, frameBytes, options.blockGroups ?? false) })
    }
    for (let t = start; t < end; t += 20) blocks.push({ time: t, bytes: simpleBlock(2, t - start, true, 40) })
    blocks.sort((a, b) => a.time - b.time)
    yield concat([
      encodeId(Id.Cluster),
      UNKNOWN_SIZE_8,
      uintElement(Id.Timecode, start),
      ...blocks.map((b) => b.bytes),
    ])
  }
}

function simpleBlock(track: number, relative: number, key: boolean, payload: number): Uint8Array {
  const body = new Uint8Array(4 + payload)
  body[0] = 0x80 | track
  new DataView(body.buffer).setInt16(1, relative)
  body[3] = key ? 0x80 : 0
  for (let i = 4; i < body.length; i++) body[i] = (i * 31 + relative) & 0xff
  return element(Id.SimpleBlock, body)
}

function videoBlock(relative: number, key: boolean, payload: number, group: boolean): Uint8Array {
  if (!group) return simpleBlock(1, relative, key, payload)
  const block = simpleBlock(1, relative, false, payload).subarray(1)
  // Same body under the Block ID; a ReferenceBlock marks a non-keyframe.
  const children = [concat([encodeId(Id.Block), block])]
  if (!key) children.push(element(Id.ReferenceBlock, Uint8Array.of(0xdf)))
  return masterElement(Id.BlockGroup, children)
}
