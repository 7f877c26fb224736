import { readdirSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'

/** `npm run bench [name...]`: every `bench/*.bench.ts`, or the ones named. Results go to bench/results/. */
const only = process.argv.slice(2)
const files = readdirSync('bench')
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => only.length === 0 || only.some((o) => f.startsWith(o)))
  .sort()
let failed = 0
for (const file of files) {
  const mod = (await import(pathToFileURL(resolve(join('bench', file))).href)) as { run: () => Promise<void> }
  try {
    await mod.run()
  } catch (error) {
    failed++
    console.error(`bench ${file} failed:`, error)
  }
}
process.exit(failed > 0 ? 1 : 0)
