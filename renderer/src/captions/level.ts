/**
 * A cheap "is anyone speaking" gate for caption segments, so silence is never sent to the AI server. The
 * recorder feeds it time-domain windows from an AnalyserNode; the gate keeps the loudest 10 ms block seen in the
 * segment. Short loud sounds count (a word), a long quiet hiss does not.
 */

/** Below this level (dBFS, loudest 10 ms block) a segment is treated as silence. Speech peaks around -30..-10. */
export const SPEECH_THRESHOLD_DB = -50

/** The loudest block's RMS level in dBFS (`-Infinity` for digital silence). */
export function loudestBlockDb(samples: Float32Array, blockSize: number): number {
  let best = 0
  const size = Math.max(1, Math.floor(blockSize))
  for (let start = 0; start < samples.length; start += size) {
    const end = Math.min(samples.length, start + size)
    let sum = 0
    for (let i = start; i < end; i++) sum += samples[i]! * samples[i]!
    const rms = Math.sqrt(sum / (end - start))
    if (rms > best) best = rms
  }
  return best === 0 ? Number.NEGATIVE_INFINITY : 20 * Math.log10(best)
}

export class LevelGate {
  private peak = Number.NEGATIVE_INFINITY

  constructor(private readonly thresholdDb = SPEECH_THRESHOLD_DB) {}

  /** Feed one analyser window. */
  observe(samples: Float32Array, sampleRate: number): void {
    const db = loudestBlockDb(samples, sampleRate / 100)
    if (db > this.peak) this.peak = db
  }

  /** The loudest level since the last `take`, and whether it counts as speech; starts the next segment. */
  take(): { peakDb: number; speech: boolean } {
    const peakDb = this.peak
    this.peak = Number.NEGATIVE_INFINITY
    return { peakDb, speech: peakDb >= this.thresholdDb }
  }
}
