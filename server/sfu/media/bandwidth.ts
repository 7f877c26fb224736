/** One subscriber of a publication, as the REMB policy sees it. */
export interface SubscriberBandwidth {
  /** The subscriber's own receive estimate for its whole transport (the REMB it sends us), if known. */
  readonly estimateBps: number | undefined
  /** How many video streams share that transport (at least 1). */
  readonly videoStreams: number
}

export interface RembPolicy {
  /** Never ask a publisher for less than this. */
  readonly floorBps: number
  /** The most a publisher is allowed per video track; also what it gets while no subscriber constrains it. */
  readonly capBps: number
  /** The same for a simulcast track (all layers together). */
  readonly simulcastCapBps: number
}

export const DEFAULT_REMB_POLICY: RembPolicy = {
  floorBps: 150_000,
  capBps: 2_500_000,
  simulcastCapBps: 4_000_000,
}

/**
 * The bitrate to tell one video publication's sender it may use (REMB), from its subscribers' receive estimates.
 *
 * A subscriber constrains the publisher only when its fair share (its estimate split over the video streams it
 * receives) is below what the publication is sending now: a receive estimate tracks the incoming rate from above
 * (libwebrtc's AIMD estimator stays at up to 1.5x of it), so taking its plain minimum would pin a publisher at its
 * start rate and reproduce the slow ramp-up this REMB exists to avoid. The lowest constraining share wins, capped
 * and floored. Simulcast publications always get the cap: the SFU serves a weak subscriber a lower layer instead
 * of lowering everyone.
 */
export function publicationRemb(
  currentBps: number,
  subscribers: readonly SubscriberBandwidth[],
  simulcast: boolean,
  policy: RembPolicy = DEFAULT_REMB_POLICY,
): number {
  if (simulcast) return policy.simulcastCapBps
  let allowed = policy.capBps
  for (const s of subscribers) {
    if (s.estimateBps === undefined) continue
    const share = s.estimateBps / Math.max(1, s.videoStreams)
    if (share < currentBps && share < allowed) allowed = share
  }
  return Math.round(Math.max(policy.floorBps, Math.min(policy.capBps, allowed)))
}

/** The simulcast layer a subscriber should receive. */
export function chooseLayer(
  preferredRid: string | undefined,
  ridNotAvailable: 'none' | 'asciibetical' | undefined,
  layers: readonly { readonly rid: string; readonly active: boolean }[],
): string | undefined {
  if (layers.length === 0) return undefined
  const sorted = [...layers].sort((a, b) => (a.rid < b.rid ? -1 : a.rid > b.rid ? 1 : 0))
  // No preference: the best layer by the Calls convention (a is most desirable, z least).
  const preferred = preferredRid || sorted.find((l) => l.active)?.rid || sorted[0]!.rid
  const wanted = sorted.find((l) => l.rid === preferred)
  if (wanted?.active) return preferred
  if (ridNotAvailable !== 'asciibetical' && preferredRid) return preferred
  // The next active layer after the preferred one in a-z order, else the nearest one before it.
  const after = sorted.find((l) => l.active && l.rid > preferred)
  if (after) return after.rid
  const before = [...sorted].reverse().find((l) => l.active && l.rid < preferred)
  return before?.rid ?? preferred
}
