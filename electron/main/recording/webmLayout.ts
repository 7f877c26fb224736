import {
  concat,
  element,
  encodeId,
  encodeSize,
  floatElement,
  Id,
  masterElement,
  uintElement,
  UNKNOWN_SIZE_8,
  voidElement,
} from './ebml'
import { forEachChild, type WebmScanner } from './WebmScanner'

/**
 * Bytes reserved right after the Segment header for the SeekHead that finalisation writes. Three Seek entries
 * with 8-byte positions take 68 bytes; the rest stays Void.
 */
export const SEEK_HEAD_RESERVE = 128
/** A Duration element: 2-byte ID, 1-byte size, 8-byte float. */
export const DURATION_RESERVE = 11

/**
 * Rewrite the header MediaRecorder produced (EBML header, Segment, Info, Tracks) so the file can be finalised in
 * place later: the Segment size becomes an 8-byte field, a Void reserves room for a SeekHead before Info, and a
 * Void inside Info reserves room for Duration. Void elements are legal anywhere, so the file plays as it is
 * written, crash or not. `prefix` is everything before the first Cluster, as scanned by `scan`.
 */
export function rewriteHeader(prefix: Uint8Array, scan: WebmScanner): Uint8Array {
  const ebml = scan.ebmlHeader
  if (!ebml || !scan.segment) throw new Error('no EBML or Segment header in the first bytes')
  const parts: Uint8Array[] = [
    prefix.subarray(ebml.start, ebml.end),
    encodeId(Id.Segment),
    UNKNOWN_SIZE_8,
    voidElement(SEEK_HEAD_RESERVE),
  ]
  let sawInfo = false
  for (const el of scan.headerElements) {
    const bytes = prefix.subarray(el.start, el.end)
    if (el.id === Id.Info) {
      sawInfo = true
      parts.push(rebuildInfo(bytes))
    } else if (el.id !== Id.SeekHead && el.id !== Id.Void) {
      // A SeekHead from the encoder would point at offsets this rewrite moves; ours replaces it.
      parts.push(bytes)
    }
  }
  if (!sawInfo) {
    parts.splice(4, 0, masterElement(Id.Info, [uintElement(Id.TimecodeScale, 1_000_000), voidElement(11)]))
  }
  return concat(parts)
}

/** Info with its children kept except Duration and Voids, plus a Void where Duration will go. */
function rebuildInfo(info: Uint8Array): Uint8Array {
  const headerLength = info.length - infoBodyLength(info)
  const body = info.subarray(headerLength)
  const kept: Uint8Array[] = []
  forEachChild(body, (id, at, length, headerAt) => {
    if (id !== Id.Duration && id !== Id.Void) kept.push(body.subarray(headerAt, at + length))
  })
  kept.push(voidElement(DURATION_RESERVE))
  return masterElement(Id.Info, kept)
}

function infoBodyLength(info: Uint8Array): number {
  // ID (4 bytes for Info) then the size vint; the body is the rest.
  const first = info[4]!
  let sizeLength = 1
  while (sizeLength <= 8 && !(first & (0x80 >> (sizeLength - 1)))) sizeLength++
  return info.length - 4 - sizeLength
}

export interface Patch {
  readonly at: number
  readonly bytes: Uint8Array
}

export interface FinalizePlan {
  /** Cut the file here first: anything after is a torn element from a crash. */
  readonly truncateTo: number
  /** Appended at `truncateTo`. */
  readonly cues: Uint8Array
  /** In-place writes into reserved or fixed-width fields, applied after the Cues are on disk. */
  readonly patches: readonly Patch[]
  readonly durationMs: number
  readonly cuePoints: number
  /** False when the file has no reserved room for a SeekHead (not written by our writer). */
  readonly seekable: boolean
}

/**
 * Plan finalisation from what a scanner saw: Cues (one per cluster that starts a video keyframe), a SeekHead
 * pointing at Info, Tracks and Cues, Duration, and the real sizes of the Segment and every Cluster written
 * with an unknown size. Null when the file already has Cues (finalised before) or has no media yet.
 */
export function planFinalize(scan: WebmScanner): FinalizePlan | null {
  const segment = scan.segment
  if (!segment || !scan.info || !scan.tracksSpan || scan.cuesSpan) return null
  const end = scan.completeEnd
  const clusters = scan.clusters.filter((c) => c.dataStart <= end)
  if (clusters.length === 0) return null
  const rel = (abs: number): number => abs - segment.dataStart

  const video = scan.videoTrack
  const cueTrack = video?.number ?? scan.tracks[0]?.number ?? 1
  let points = clusters
    .filter((c) => (video ? c.keyframeTime !== undefined : true))
    .map((c) => ({ time: video ? c.keyframeTime! : c.timecode, position: rel(c.start) }))
  if (points.length === 0) points = [{ time: clusters[0]!.timecode, position: rel(clusters[0]!.start) }]
  const cues = masterElement(
    Id.Cues,
    points.map((p) =>
      masterElement(Id.CuePoint, [
        uintElement(Id.CueTime, p.time),
        masterElement(Id.CueTrackPositions, [
          uintElement(Id.CueTrack, cueTrack),
          uintElement(Id.CueClusterPosition, p.position),
        ]),
      ]),
    ),
  )

  const patches: Patch[] = []
  if (segment.sizeLength === 8) {
    patches.push({ at: segment.sizeAt, bytes: encodeSize(end + cues.length - segment.dataStart, 8) })
  }
  clusters.forEach((c, i) => {
    if (c.sizeKnown || c.sizeLength !== 8) return
    const next = Math.min(clusters[i + 1]?.start ?? end, end)
    patches.push({ at: c.sizeAt, bytes: encodeSize(next - c.dataStart, 8) })
  })

  const durationMs = scan.durationMs
  const seekReserve = scan.reserves.seekHead
  if (seekReserve) {
    const seek = (id: number, position: number): Uint8Array =>
      masterElement(Id.Seek, [element(Id.SeekID, encodeId(id)), uintElement(Id.SeekPosition, position, 8)])
    const head = masterElement(Id.SeekHead, [
      seek(Id.Info, rel(scan.info.start)),
      seek(Id.Tracks, rel(scan.tracksSpan.start)),
      seek(Id.Cues, rel(end)),
    ])
    patches.push({ at: seekReserve.start, bytes: fill(head, seekReserve.end - seekReserve.start) })
  }
  const durationReserve = scan.reserves.duration
  if (durationReserve) {
    const ticks = (durationMs * 1e6) / scan.timecodeScale
    patches.push({
      at: durationReserve.start,
      bytes: fill(floatElement(Id.Duration, ticks), durationReserve.end - durationReserve.start),
    })
  }
  return {
    truncateTo: end,
    cues,
    patches,
    durationMs,
    cuePoints: points.length,
    seekable: seekReserve !== undefined,
  }
}

/** `bytes` followed by a Void so the result is exactly `total` long. */
function fill(bytes: Uint8Array, total: number): Uint8Array {
  const rest = total - bytes.length
  if (rest === 0) return bytes
  if (rest < 2) throw new Error(`reserved space of ${total} bytes cannot hold ${bytes.length}`)
  return concat([bytes, voidElement(rest)])
}
