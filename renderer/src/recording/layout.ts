/** A rectangle on the recording canvas, in pixels. */
export interface Rect {
  readonly x: number
  readonly y: number
  readonly w: number
  readonly h: number
}

/** `grid`: equal tiles; `speaker`: one large tile (the focus) over a strip of the others. */
export type LayoutKind = 'grid' | 'speaker'

/**
 * Equal tiles of the given aspect ratio, as large as fit: tries every column count and keeps the one with the
 * biggest tiles, then centres the block. Pure, so the meeting view and the recording can share it.
 */
export function gridLayout(count: number, width: number, height: number, gap = 8, aspect = 16 / 9): Rect[] {
  if (count <= 0) return []
  let best = { cols: 1, rows: count, w: 0, h: 0 }
  for (let cols = 1; cols <= count; cols++) {
    const rows = Math.ceil(count / cols)
    const cellW = (width - gap * (cols + 1)) / cols
    const cellH = (height - gap * (rows + 1)) / rows
    const w = Math.min(cellW, cellH * aspect)
    const h = w / aspect
    if (w > best.w) best = { cols, rows, w, h }
  }
  const { cols, rows, w, h } = best
  const blockH = rows * h + (rows - 1) * gap
  const top = (height - blockH) / 2
  const rects: Rect[] = []
  for (let i = 0; i < count; i++) {
    const row = Math.floor(i / cols)
    // The last row may be short: centre it on its own.
    const inRow = row === rows - 1 ? count - row * cols : cols
    const rowW = inRow * w + (inRow - 1) * gap
    const col = i - row * cols
    rects.push(snap({ x: (width - rowW) / 2 + col * (w + gap), y: top + row * (h + gap), w, h }))
  }
  return rects
}

/** The focus tile large on top (about 3/4 of the height), the rest as a centred strip below it. */
export function speakerLayout(count: number, width: number, height: number, gap = 8): Rect[] {
  if (count <= 1) return gridLayout(count, width, height, gap)
  const stripH = Math.round(height / 4)
  const main = snap({ x: gap, y: gap, w: width - 2 * gap, h: height - stripH - 2 * gap })
  const others = gridLayout(count - 1, width, stripH, gap).map((r) => ({
    ...r,
    y: r.y + height - stripH - gap / 2,
  }))
  return [main, ...others.map(snap)]
}

export function layoutFor(kind: LayoutKind, count: number, width: number, height: number): Rect[] {
  return kind === 'speaker' ? speakerLayout(count, width, height) : gridLayout(count, width, height)
}

/** The source crop that fills `dst` without distortion (like CSS object-fit: cover). */
export function coverCrop(
  srcW: number,
  srcH: number,
  dst: Rect,
): { sx: number; sy: number; sw: number; sh: number } {
  if (srcW <= 0 || srcH <= 0) return { sx: 0, sy: 0, sw: 0, sh: 0 }
  const scale = Math.max(dst.w / srcW, dst.h / srcH)
  const sw = dst.w / scale
  const sh = dst.h / scale
  return { sx: (srcW - sw) / 2, sy: (srcH - sh) / 2, sw, sh }
}

function snap(r: Rect): Rect {
  // Whole pixels: fractional edges blur every frame and cost the encoder bits for nothing.
  return { x: Math.round(r.x), y: Math.round(r.y), w: Math.round(r.w), h: Math.round(r.h) }
}
