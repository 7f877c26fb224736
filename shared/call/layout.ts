/**
 * Pure layout decisions for the meeting stage: tile order, which tile is the stage, which simulcast layer each
 * tile pulls, and who is the active speaker. The React layer only renders what these return.
 */

export interface TileSource {
  /** Stable id: `<participantId>:camera` or `<participantId>:screen`. */
  readonly id: string
  readonly participantId: string
  readonly kind: 'camera' | 'screen'
  readonly isSelf: boolean
  /** When the participant joined (room order); keeps tile order stable as people come and go. */
  readonly joinedAt: number
}

export interface LayoutInput {
  readonly tiles: readonly TileSource[]
  readonly pinnedId: string | null
  readonly activeSpeakerId: string | null
}

export interface Layout {
  /** The big tile, if any: the pinned tile, else the newest screen share. */
  readonly stageId: string | null
  /** Everything else in stable order: screens, then others by join time, self last. */
  readonly gridIds: readonly string[]
}

export function resolveLayout(input: LayoutInput): Layout {
  const byId = new Map(input.tiles.map((t) => [t.id, t]))
  const pinned = input.pinnedId && byId.has(input.pinnedId) ? input.pinnedId : null
  const screens = input.tiles.filter((t) => t.kind === 'screen').sort((a, b) => b.joinedAt - a.joinedAt)
  const stageId = pinned ?? screens[0]?.id ?? null
  const rank = (t: TileSource): number => (t.kind === 'screen' ? 0 : t.isSelf ? 2 : 1)
  const gridIds = input.tiles
    .filter((t) => t.id !== stageId)
    .sort((a, b) => rank(a) - rank(b) || a.joinedAt - b.joinedAt || a.id.localeCompare(b.id))
    .map((t) => t.id)
  return { stageId, gridIds }
}

/** Simulcast rids as published: `f` full, `h` half, `q` quarter resolution. */
export type Rid = 'f' | 'h' | 'q'

/** One simulcast encoding as the publisher asks for it (a subset of RTCRtpEncodingParameters). */
export interface SimulcastEncoding {
  readonly rid: Rid
  readonly scaleResolutionDownBy: number
  readonly maxBitrate: number
}

/**
 * The camera's simulcast encodings, best first. libwebrtc sends fewer layers for small sources (its legacy
 * simulcast layer limit: 2 below 960x540, 1 below 640x360) and keeps the *first* encodings of the list; in
 * q, h, f order a 640x480 camera sent only 160x120 and 320x240, and asking for f got h. Best first, such a source
 * sends f and h, and the SFU serves the nearest sent layer to whoever asks for q.
 */
export const SIMULCAST_ENCODINGS: readonly SimulcastEncoding[] = [
  { rid: 'f', scaleResolutionDownBy: 1, maxBitrate: 1_500_000 },
  { rid: 'h', scaleResolutionDownBy: 2, maxBitrate: 500_000 },
  { rid: 'q', scaleResolutionDownBy: 4, maxBitrate: 150_000 },
]

/**
 * The layer a tile should pull for its rendered size (CSS px × devicePixelRatio). Screens always pull full:
 * text must stay legible. Data-saver caps everything at `q`.
 */
export function layerForTile(options: {
  readonly widthPx: number
  readonly heightPx: number
  readonly kind: 'camera' | 'screen'
  readonly dataSaver: boolean
}): Rid {
  if (options.dataSaver) return 'q'
  if (options.kind === 'screen') return 'f'
  const longest = Math.max(options.widthPx, options.heightPx)
  if (longest >= 800) return 'f'
  if (longest >= 360) return 'h'
  return 'q'
}

export interface SpeakerState {
  readonly current: string | null
  /** Since when each candidate has been loudest, ms. */
  readonly candidate: { readonly id: string; readonly since: number } | null
}

/**
 * Active speaker with hysteresis: someone must be the loudest above `threshold` for `holdMs` before taking over,
 * so a cough does not flip the stage. Levels are 0..1 (RTCAudioSourceStats / inbound-rtp audioLevel).
 */
export function nextSpeaker(
  state: SpeakerState,
  levels: ReadonlyMap<string, number>,
  now: number,
  options: { readonly threshold?: number; readonly holdMs?: number } = {},
): SpeakerState {
  const threshold = options.threshold ?? 0.05
  const holdMs = options.holdMs ?? 800
  let loudest: string | null = null
  let max = threshold
  for (const [id, level] of levels) {
    if (level > max) {
      max = level
      loudest = id
    }
  }
  if (loudest === null || loudest === state.current)
    return state.candidate === null ? state : { ...state, candidate: null }
  if (state.candidate?.id !== loudest) return { ...state, candidate: { id: loudest, since: now } }
  if (now - state.candidate.since >= holdMs) return { current: loudest, candidate: null }
  return state
}
