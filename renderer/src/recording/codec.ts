/** Preferred first. VP9 costs less CPU than VP8 in Chromium's realtime mode (notes/performance.md §5). */
export const MIME_PREFERENCE = [
  'video/webm;codecs=vp9,opus',
  'video/webm;codecs=vp8,opus',
  'video/webm',
] as const

/** The first WebM type this browser's MediaRecorder can write, or null (no WebM: recording unavailable). */
export function pickMimeType(isTypeSupported: (type: string) => boolean): string | null {
  return MIME_PREFERENCE.find((t) => isTypeSupported(t)) ?? null
}

/**
 * Target bitrates. MediaRecorder treats them as a ceiling for VBR, so real files come out smaller. 2 Mbit/s
 * video + 96 kbit/s Opus is ≤ 15.7 MB a minute at 720p, inside the 20 MB/min goal (G15) with room to spare;
 * larger frames (a 1080p+ screen) get proportionally more, capped at 4 Mbit/s.
 */
export function bitratesFor(width: number, height: number): { video: number; audio: number } {
  const pixels = width * height
  const video = Math.round(Math.min(4_000_000, Math.max(600_000, (2_000_000 * pixels) / (1280 * 720))))
  return { video, audio: 96_000 }
}
