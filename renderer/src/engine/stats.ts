/** Per-track quality, sampled once a second from `getStats()`; keyed by transceiver mid. */
export interface TrackStats {
  readonly mid: string
  readonly kind: 'audio' | 'video'
  readonly direction: 'inbound' | 'outbound'
  /** kbit/s over the last interval. */
  readonly bitrateKbps: number
  /** Fraction of packets lost in the last interval, 0..1. */
  readonly loss: number
  readonly jitterMs: number
  readonly rttMs: number | null
  readonly fps: number | null
  readonly framesDecoded: number | null
  /** Total packets received (inbound) or sent (outbound) on this track so far. */
  readonly packets: number
  readonly freezeCount: number | null
  readonly width: number | null
  readonly height: number | null
  /** 0..1 for audio tracks (speaking detection), null for video. */
  readonly audioLevel: number | null
}

interface Previous {
  readonly bytes: number
  readonly packets: number
  readonly lost: number
  readonly at: number
}

type Report = Record<string, unknown> & { type: string; id: string; timestamp: number }

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null)

/**
 * Turns successive `RTCStatsReport`s into per-track deltas. Keeps only the previous sample per mid, so memory is
 * bounded by the number of transceivers.
 */
export class StatsSampler {
  private previous = new Map<string, Previous>()

  sample(report: RTCStatsReport): TrackStats[] {
    const all = [...(report as unknown as Map<string, Report>).values()]
    const pair = all.find(
      (s) => s.type === 'candidate-pair' && s['nominated'] === true && s['state'] === 'succeeded',
    )
    const rtt = num(pair?.['currentRoundTripTime'])
    const out: TrackStats[] = []
    const seen = new Set<string>()
    for (const s of all) {
      if (s.type !== 'inbound-rtp' && s.type !== 'outbound-rtp') continue
      const mid = typeof s['mid'] === 'string' ? s['mid'] : null
      const kind = s['kind'] === 'audio' || s['kind'] === 'video' ? s['kind'] : null
      if (mid === null || kind === null) continue
      const inbound = s.type === 'inbound-rtp'
      // Simulcast publishes several outbound-rtp per mid: sum them by keying on mid + rid.
      const key = `${s.type}:${mid}:${typeof s['rid'] === 'string' ? s['rid'] : ''}`
      seen.add(key)
      const bytes = num(inbound ? s['bytesReceived'] : s['bytesSent']) ?? 0
      const packets = num(inbound ? s['packetsReceived'] : s['packetsSent']) ?? 0
      const lost = num(s['packetsLost']) ?? 0
      const prev = this.previous.get(key)
      this.previous.set(key, { bytes, packets, lost, at: s.timestamp })
      const seconds = prev ? (s.timestamp - prev.at) / 1000 : 0
      const dPackets = prev ? packets - prev.packets : 0
      const dLost = prev ? lost - prev.lost : 0
      out.push({
        mid,
        kind,
        direction: inbound ? 'inbound' : 'outbound',
        bitrateKbps: prev && seconds > 0 ? Math.max(0, ((bytes - prev.bytes) * 8) / 1000 / seconds) : 0,
        loss: dPackets + dLost > 0 ? Math.max(0, dLost) / (dPackets + Math.max(0, dLost)) : 0,
        jitterMs: (num(s['jitter']) ?? 0) * 1000,
        rttMs: rtt === null ? null : rtt * 1000,
        fps: num(s['framesPerSecond']),
        framesDecoded: num(s['framesDecoded']),
        packets,
        freezeCount: num(s['freezeCount']),
        width: num(s['frameWidth']),
        height: num(s['frameHeight']),
        audioLevel: kind === 'audio' ? num(s['audioLevel']) : null,
      })
    }
    for (const key of this.previous.keys()) if (!seen.has(key)) this.previous.delete(key)
    return mergeSimulcast(out)
  }
}

function mergeSimulcast(stats: TrackStats[]): TrackStats[] {
  const byKey = new Map<string, TrackStats>()
  for (const s of stats) {
    const key = `${s.direction}:${s.mid}`
    const prev = byKey.get(key)
    byKey.set(
      key,
      prev
        ? {
            ...prev,
            bitrateKbps: prev.bitrateKbps + s.bitrateKbps,
            packets: prev.packets + s.packets,
            width: Math.max(prev.width ?? 0, s.width ?? 0) || null,
            height: Math.max(prev.height ?? 0, s.height ?? 0) || null,
          }
        : s,
    )
  }
  return [...byKey.values()]
}

/** A coarse quality grade for the tile indicator. */
export function qualityOf(stats: Pick<TrackStats, 'loss' | 'rttMs' | 'jitterMs'>): 'good' | 'fair' | 'poor' {
  if (stats.loss > 0.08 || (stats.rttMs ?? 0) > 400 || stats.jitterMs > 80) return 'poor'
  if (stats.loss > 0.02 || (stats.rttMs ?? 0) > 200 || stats.jitterMs > 40) return 'fair'
  return 'good'
}
