import { mkdirSync, writeFileSync } from 'node:fs'
import { cpus } from 'node:os'
import { join } from 'node:path'

export interface Metric {
  readonly metric: string
  readonly value: number
  readonly unit: string
  /** The same measurement of a reference taken in the same run, when there is one. */
  readonly baseline?: number
  /** value / baseline */
  readonly ratio?: number
  readonly goal?: string
  /** Whether `value` meets `goal`, for metrics with a machine-checked goal (see `gated`). */
  readonly pass?: boolean
  /** `skipped`: not measured on this machine; `note` says why. */
  readonly status?: 'measured' | 'skipped'
  readonly note?: string
}

export function metric(m: Omit<Metric, 'ratio'>): Metric {
  return m.baseline !== undefined && m.baseline > 0 ? { ...m, ratio: round(m.value / m.baseline, 3) } : m
}

/** A metric with a goal `value ≤ limit` (or `≥` with `atLeast`), its pass/fail in the JSON. */
export function gated(m: {
  metric: string
  value: number
  unit: string
  limit: number
  atLeast?: boolean
  note?: string
}): Metric {
  const pass = Number.isFinite(m.value) && (m.atLeast ? m.value >= m.limit : m.value <= m.limit)
  return {
    metric: m.metric,
    value: m.value,
    unit: m.unit,
    goal: `${m.atLeast ? '≥' : '≤'} ${m.limit}`,
    pass,
    status: 'measured',
    ...(m.note ? { note: m.note } : {}),
  }
}

/** A goal this machine cannot measure: recorded, never faked. */
export function skipped(m: { metric: string; unit: string; goal: string; note: string }): Metric {
  return { metric: m.metric, value: Number.NaN, unit: m.unit, goal: m.goal, status: 'skipped', note: m.note }
}

export function round(n: number, digits = 1): number {
  const f = 10 ** digits
  return Math.round(n * f) / f
}

export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b)
  if (sorted.length === 0) return Number.NaN
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))
  return sorted[idx]!
}

/** Print and write `bench/results/<name>.json`. */
export function report(name: string, metrics: readonly Metric[]): void {
  const dir = join('bench', 'results')
  mkdirSync(dir, { recursive: true })
  const doc = {
    name,
    at: new Date().toISOString(),
    machine: { cpus: cpus().length, node: process.version },
    metrics,
  }
  writeFileSync(join(dir, `${name}.json`), `${JSON.stringify(doc, null, 2)}\n`)
  for (const m of metrics) {
    console.log(
      `${name.padEnd(18)} ${m.metric.padEnd(34)} ${String(m.value).padStart(10)} ${m.unit}${
        m.baseline !== undefined ? `  (baseline ${m.baseline}, ratio ${m.ratio})` : ''
      }${m.goal ? `  goal ${m.goal}` : ''}${m.pass === undefined ? '' : m.pass ? '  PASS' : '  FAIL'}${
        m.status === 'skipped' ? `  SKIPPED: ${m.note ?? ''}` : ''
      }`,
    )
  }
}
