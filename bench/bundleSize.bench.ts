import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { metric, report, round } from './lib'

/** Renderer bundle size from `out/renderer` (run after `electron-vite build`): raw and gzip, JS and CSS. */
export async function run(): Promise<void> {
  const dir = join('out', 'renderer', 'assets')
  const files = readdirSync(dir).map((f) => join(dir, f))
  const sum = (ext: string, gz: boolean): number =>
    files
      .filter((f) => f.endsWith(ext))
      .reduce((n, f) => n + (gz ? gzipSync(readFileSync(f), { level: 9 }).length : statSync(f).size), 0)
  report('bundle-size', [
    metric({ metric: 'renderer js (raw)', value: round(sum('.js', false) / 1024), unit: 'KiB' }),
    metric({ metric: 'renderer js (gzip)', value: round(sum('.js', true) / 1024), unit: 'KiB' }),
    metric({ metric: 'renderer css (gzip)', value: round(sum('.css', true) / 1024), unit: 'KiB' }),
  ])
}
