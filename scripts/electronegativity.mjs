// Run @doyensec/electronegativity on the built app and fail on any finding the allowlist does not explain.
// The scanner fetches translations and Electron's release list from the internet on every run; it runs in an
// empty network namespace so nothing leaves this machine (it falls back to its bundled data).
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const allowlist = JSON.parse(readFileSync('scripts/electronegativity-allowlist.json', 'utf8'))
if (!existsSync('out/main/index.js')) {
  console.error('electronegativity: build first (npx electron-vite build)')
  process.exit(1)
}
const electronVersion = JSON.parse(readFileSync('node_modules/electron/package.json', 'utf8')).version
const report = join(mkdtempSync(join(tmpdir(), 'eng-')), 'report.sarif')
const isRoot = process.getuid?.() === 0
const run = spawnSync(
  'unshare',
  [
    isRoot ? '-n' : '-rn',
    'node_modules/.bin/electronegativity',
    '-i',
    'out',
    '-o',
    report,
    '-e',
    electronVersion,
    '-r',
  ],
  { encoding: 'utf8' },
)
if (run.error || !existsSync(report)) {
  console.error('electronegativity did not run:', run.error?.message ?? '', run.stderr)
  process.exit(1)
}
const sarif = JSON.parse(readFileSync(report, 'utf8'))
const results = sarif.runs.flatMap((r) => r.results ?? [])
const used = new Set()
const unexplained = []
for (const result of results) {
  const loc = result.locations?.[0]?.physicalLocation
  const file = loc?.artifactLocation?.uri ?? '?'
  const region = loc?.region ?? {}
  const line = existsSync(join('out', file))
    ? (readFileSync(join('out', file), 'utf8').split('\n')[region.startLine - 1] ?? '')
    : ''
  const sample = line.slice(
    Math.max(0, (region.startColumn ?? 1) - 1),
    (region.startColumn ?? 1) - 1 + (region.charLength ?? line.length),
  )
  // An entry whose `file` ends in '/' matches any file below it (renderer bundle names carry a content hash).
  const sameFile = (a) => a.file === file || (a.file.endsWith('/') && file.startsWith(a.file))
  const entry = allowlist.findIndex(
    (a) => a.rule === result.ruleId && sameFile(a) && sample.includes(a.match),
  )
  if (entry >= 0) used.add(entry)
  else unexplained.push(`${result.ruleId} at ${file}:${region.startLine}: ${sample.trim().slice(0, 120)}`)
}
allowlist.forEach((a, i) => {
  if (!used.has(i)) console.warn(`electronegativity: allowlist entry no longer needed: ${a.rule} ${a.match}`)
})
console.log(
  `electronegativity: ${results.length} findings, ${results.length - unexplained.length} explained by the allowlist`,
)
if (unexplained.length > 0) {
  console.error(
    `Unexplained findings (fix them, or add an entry with a reason to scripts/electronegativity-allowlist.json):\n  ${unexplained.join('\n  ')}`,
  )
  process.exit(1)
}
