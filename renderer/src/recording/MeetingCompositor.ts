import { startFrameClock } from './frameClock'
import { coverCrop, layoutFor, type LayoutKind, type Rect } from './layout'

/** One participant as the recording shows them. */
export interface CompositorTile {
  readonly id: string
  /** Name drawn on the tile. */
  readonly label: string
  /** A `<video>` already on the page (the meeting's tile), or a stream the compositor plays itself. */
  readonly source: HTMLVideoElement | MediaStream | null
}

export interface CompositorOptions {
  readonly width?: number
  readonly height?: number
  /** Frames drawn (and so recorded) per second; DEFAULT_FPS when omitted. */
  readonly fps?: number
  readonly layout?: LayoutKind
}

interface TileState {
  tile: CompositorTile
  video: HTMLVideoElement | null
  /** True when we created the element (and must stop and drop it). */
  owned: boolean
  /** A new video frame arrived since this tile was last drawn (always true without requestVideoFrameCallback). */
  fresh: boolean
  /** What the tile showed last time: a live frame, or the initials placeholder. */
  drewLive: boolean
  /** Stops the frame callbacks. */
  unwatch: () => void
}

/**
 * 15 fps by default: on the 2-core CI box (software canvas and VP9) recording the 720p composite costs about
 * +57 points of a core at 30 fps, +47 at 20 and +24 to +37 at 15 (bench/recording.bench.ts), against a goal
 * of +25 (G14). Talking heads and slides stay readable at 15; pass `fps` for more where the machine allows.
 */
export const DEFAULT_FPS = 15

const BACKGROUND = '#0f1115'
const TILE_BACKGROUND = '#1b1f27'

/**
 * Draws the meeting as seen (a grid or speaker layout of participant videos with their names) into a canvas
 * and exposes it as a MediaStream for the recorder. No React: the meeting view hands it tiles.
 */
export class MeetingCompositor {
  readonly canvas: HTMLCanvasElement
  readonly width: number
  readonly height: number
  readonly fps: number
  private readonly ctx: CanvasRenderingContext2D
  private readonly tiles = new Map<string, TileState>()
  private order: string[] = []
  private layout: LayoutKind
  private focusId: string | null = null
  private stopClock: (() => void) | null = null
  private captured: MediaStream | null = null
  /** The layout changed (tiles, order, kind): repaint everything, background included. */
  private layoutDirty = true

  constructor(options: CompositorOptions = {}) {
    this.width = options.width ?? 1280
    this.height = options.height ?? 720
    this.fps = options.fps ?? DEFAULT_FPS
    this.layout = options.layout ?? 'grid'
    this.canvas = document.createElement('canvas')
    this.canvas.width = this.width
    this.canvas.height = this.height
    // An opaque canvas: with alpha, Chromium encodes a second (alpha) plane and the VP9 cost nearly doubles.
    const ctx = this.canvas.getContext('2d', { alpha: false })
    if (!ctx) throw new Error('This browser cannot draw the recording canvas.')
    this.ctx = ctx
  }

  /** The composed video, one track; created on first use and valid until `dispose()`. */
  get stream(): MediaStream {
    // No rate argument: a frame per draw. With captureStream(fps), draws that a jittery timer makes a little
    // early fall inside the minimum interval and are dropped (15 fps came out as about 9).
    this.captured ??= this.canvas.captureStream()
    return this.captured
  }

  /** Replace the participant list; tiles keep their element when the id stays. */
  setTiles(tiles: readonly CompositorTile[]): void {
    const next = new Set(tiles.map((t) => t.id))
    for (const [id, state] of this.tiles) if (!next.has(id)) this.drop(id, state)
    for (const tile of tiles) {
      const existing = this.tiles.get(tile.id)
      if (existing && existing.tile.source === tile.source) {
        existing.tile = tile
        continue
      }
      if (existing) this.drop(tile.id, existing)
      this.tiles.set(tile.id, this.attach(tile))
    }
    const order = tiles.map((t) => t.id)
    if (order.join('\n') !== this.order.join('\n')) this.layoutDirty = true
    this.order = order
  }

  /** `focusId` is the speaker layout's large tile (the active speaker or a pinned participant). */
  setLayout(kind: LayoutKind, focusId: string | null = null): void {
    this.layout = kind
    this.focusId = focusId
    this.layoutDirty = true
  }

  start(): void {
    if (this.stopClock) return
    this.draw()
    this.stopClock = startFrameClock(this.fps, () => this.draw())
  }

  stop(): void {
    this.stopClock?.()
    this.stopClock = null
  }

  dispose(): void {
    this.stop()
    for (const [id, state] of this.tiles) this.drop(id, state)
    for (const track of this.captured?.getTracks() ?? []) track.stop()
    this.captured = null
  }

  /**
   * Draw what changed (also what each clock tick does). The background is painted only when the layout
   * changes, and a tile only when its video has a new frame: drawing video into a software canvas is most of
   * the compositor's cost, and a canvas left untouched produces no frame for the encoder to spend time on.
   */
  draw(): void {
    const { ctx } = this
    const repaint = this.layoutDirty
    this.layoutDirty = false
    if (repaint) {
      ctx.fillStyle = BACKGROUND
      ctx.fillRect(0, 0, this.width, this.height)
    }
    const ids = this.orderedIds()
    const rects = layoutFor(this.layout, ids.length, this.width, this.height)
    ids.forEach((id, i) => {
      const state = this.tiles.get(id)
      const rect = rects[i]
      if (state && rect) this.drawTile(state, rect, repaint)
    })
  }

  private orderedIds(): string[] {
    const ids = this.order.filter((id) => this.tiles.has(id))
    if (this.layout === 'speaker' && this.focusId && ids.includes(this.focusId)) {
      return [this.focusId, ...ids.filter((id) => id !== this.focusId)]
    }
    return ids
  }

  private drawTile(state: TileState, rect: Rect, repaint: boolean): void {
    const video = state.video
    const live = video !== null && video.readyState >= 2 && video.videoWidth > 0
    // A placeholder stays put until the layout or its liveness changes; a live tile waits for a new frame.
    if (!repaint && (live ? !state.fresh : !state.drewLive)) return
    state.fresh = false
    state.drewLive = live
    const { ctx } = this
    if (live) {
      const crop = coverCrop(video.videoWidth, video.videoHeight, rect)
      ctx.drawImage(video, crop.sx, crop.sy, crop.sw, crop.sh, rect.x, rect.y, rect.w, rect.h)
    } else {
      ctx.fillStyle = TILE_BACKGROUND
      ctx.fillRect(rect.x, rect.y, rect.w, rect.h)
      this.drawInitials(state.tile.label, rect)
    }
    this.drawLabel(state.tile.label, rect)
  }

  private drawInitials(label: string, rect: Rect): void {
    const { ctx } = this
    const r = Math.min(rect.w, rect.h) / 5
    ctx.fillStyle = '#2b5bd7'
    ctx.beginPath()
    ctx.arc(rect.x + rect.w / 2, rect.y + rect.h / 2, r, 0, Math.PI * 2)
    ctx.fill()
    ctx.fillStyle = '#ffffff'
    ctx.font = `600 ${Math.round(r * 0.8)}px system-ui, sans-serif`
    ctx.textAlign = 'center'
    ctx.textBaseline = 'middle'
    ctx.fillText(initials(label), rect.x + rect.w / 2, rect.y + rect.h / 2)
  }

  private drawLabel(label: string, rect: Rect): void {
    if (!label) return
    const { ctx } = this
    const size = Math.max(12, Math.round(rect.h / 16))
    ctx.font = `500 ${size}px system-ui, sans-serif`
    ctx.textAlign = 'left'
    ctx.textBaseline = 'middle'
    const text = label.length > 40 ? `${label.slice(0, 39)}…` : label
    const padding = Math.round(size / 2)
    const w = Math.min(rect.w - 2 * padding, ctx.measureText(text).width + 2 * padding)
    const h = size + padding
    ctx.fillStyle = 'rgba(0, 0, 0, 0.55)'
    ctx.fillRect(rect.x + padding, rect.y + rect.h - h - padding, w, h)
    ctx.fillStyle = '#ffffff'
    ctx.fillText(text, rect.x + 2 * padding, rect.y + rect.h - padding - h / 2, w - 2 * padding)
  }

  private attach(tile: CompositorTile): TileState {
    this.layoutDirty = true
    if (tile.source === null)
      return { tile, video: null, owned: false, fresh: false, drewLive: false, unwatch: noop }
    let video: HTMLVideoElement
    let owned = false
    if (tile.source instanceof MediaStream) {
      video = document.createElement('video')
      video.muted = true
      video.playsInline = true
      video.autoplay = true
      video.srcObject = tile.source
      void video.play().catch(() => undefined)
      owned = true
    } else {
      video = tile.source
    }
    const state: TileState = { tile, video, owned, fresh: true, drewLive: false, unwatch: noop }
    state.unwatch = watchFrames(video, () => (state.fresh = true))
    return state
  }

  private drop(id: string, state: TileState): void {
    state.unwatch()
    this.layoutDirty = true
    if (state.owned && state.video) {
      state.video.pause()
      state.video.srcObject = null
    }
    this.tiles.delete(id)
  }
}

const noop = (): void => undefined

/**
 * Call `onFrame` for every new frame `video` presents (requestVideoFrameCallback). Where that API is missing,
 * report a frame on every check instead, so tiles are simply drawn each tick. Returns a disposer.
 */
function watchFrames(video: HTMLVideoElement, onFrame: () => void): () => void {
  if (typeof video.requestVideoFrameCallback !== 'function') {
    const timer = setInterval(onFrame, 1000 / 60)
    return () => clearInterval(timer)
  }
  let handle = 0
  let live = true
  const next = (): void => {
    onFrame()
    if (live) handle = video.requestVideoFrameCallback(next)
  }
  handle = video.requestVideoFrameCallback(next)
  return () => {
    live = false
    video.cancelVideoFrameCallback(handle)
  }
}

export function initials(label: string): string {
  const words = label.trim().split(/\s+/).filter(Boolean)
  const letters = words.length > 1 ? [words[0]![0], words.at(-1)![0]] : [words[0]?.[0]]
  return letters.filter(Boolean).join('').toUpperCase() || '?'
}
