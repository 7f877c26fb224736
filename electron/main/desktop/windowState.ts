import { z } from 'zod'
import type { DisplayInfo, Rect } from './types'

/** Where the main window was when it last moved or closed (normal bounds, i.e. not the maximised ones). */
export const SavedWindowState = z.object({
  x: z.number().int().min(-100_000).max(100_000),
  y: z.number().int().min(-100_000).max(100_000),
  width: z.number().int().min(1).max(100_000),
  height: z.number().int().min(1).max(100_000),
  maximized: z.boolean(),
  fullScreen: z.boolean(),
})
export type SavedWindowState = z.infer<typeof SavedWindowState>

export interface WindowDefaults {
  readonly width: number
  readonly height: number
  readonly minWidth: number
  readonly minHeight: number
}

export interface RestoredWindow {
  /** Absent: let the OS place the window (centred on the primary display). */
  readonly x?: number
  readonly y?: number
  readonly width: number
  readonly height: number
  readonly maximized: boolean
  readonly fullScreen: boolean
}

function overlap(a: Rect, b: Rect): number {
  const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x)
  const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y)
  return w > 0 && h > 0 ? w * h : 0
}

const clamp = (value: number, low: number, high: number): number => Math.min(Math.max(value, low), high)

/**
 * Where to open the main window. The saved placement is used on the display it overlaps most, shrunk to fit that
 * display's work area and moved fully inside it, so a window never opens off-screen: not after a monitor was
 * unplugged, not after a resolution change, not from a hand-edited file. A window that overlaps no display is
 * centred on the primary one.
 */
export function restoreWindowState(
  saved: SavedWindowState | null,
  displays: readonly DisplayInfo[],
  defaults: WindowDefaults,
): RestoredWindow {
  const usable = displays.filter((d) => d.workArea.width > 0 && d.workArea.height > 0)
  const primary = usable.find((d) => d.primary) ?? usable[0]
  if (!primary) {
    return { width: defaults.width, height: defaults.height, maximized: false, fullScreen: false }
  }
  const flags = { maximized: saved?.maximized ?? false, fullScreen: saved?.fullScreen ?? false }
  const fit = (area: Rect, width: number, height: number) => ({
    width: clamp(width, Math.min(defaults.minWidth, area.width), area.width),
    height: clamp(height, Math.min(defaults.minHeight, area.height), area.height),
  })
  if (!saved) {
    return { ...fit(primary.workArea, defaults.width, defaults.height), ...flags }
  }
  let best: DisplayInfo | undefined
  let bestArea = 0
  for (const display of usable) {
    const area = overlap(saved, display.workArea)
    if (area > bestArea) {
      best = display
      bestArea = area
    }
  }
  const area = (best ?? primary).workArea
  const size = fit(area, saved.width, saved.height)
  if (!best) {
    return {
      x: Math.round(area.x + (area.width - size.width) / 2),
      y: Math.round(area.y + (area.height - size.height) / 2),
      ...size,
      ...flags,
    }
  }
  return {
    x: clamp(saved.x, area.x, area.x + area.width - size.width),
    y: clamp(saved.y, area.y, area.y + area.height - size.height),
    ...size,
    ...flags,
  }
}

/** A placement worth saving, or null for nonsense (a minimised window reports zero or negative sizes on some OSes). */
export function captureWindowState(
  bounds: Rect,
  maximized: boolean,
  fullScreen: boolean,
): SavedWindowState | null {
  const parsed = SavedWindowState.safeParse({
    x: Math.round(bounds.x),
    y: Math.round(bounds.y),
    width: Math.round(bounds.width),
    height: Math.round(bounds.height),
    maximized,
    fullScreen,
  })
  return parsed.success ? parsed.data : null
}
