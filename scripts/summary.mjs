// Sum the JSON reports of every runner into the one plain line CI reads: "N passed, N failed, N skipped".
import { existsSync, readdirSync, readFileSync } from 'node:fs'

const read = (path) => (existsSync(path) ? JSON.parse(readFileSync(path, 'utf8')) : null)
let passed = 0
let failed = 0
let skipped = 0
// Every vitest run writes test-results/vitest*.json (the Node/happy-dom projects, the worker in workerd, ...).
const vitestReports = existsSync('test-results')
  ? readdirSync('test-results').filter((f) => /^vitest.*\.json$/.test(f))
  : []
for (const file of vitestReports) {
  const vitest = read(`test-results/${file}`)
  passed += vitest.numPassedTests
  failed += vitest.numFailedTests
  // A test file whose worker crashed (a native segfault) fails no single test, but the run is not a success.
  if (vitest.success === false && vitest.numFailedTests === 0) {
    const files = Math.max(1, vitest.numFailedTestSuites)
    console.log(`${file}: ${files} test file(s) failed outside any test (crash or unhandled error)`)
    failed += files
  }
  skipped += vitest.numPendingTests + vitest.numTodoTests
}
const e2e = read('test-results/e2e.json')
if (e2e) {
  passed += e2e.stats.expected + e2e.stats.flaky
  failed += e2e.stats.unexpected
  skipped += e2e.stats.skipped
}
for (const extra of ['test-results/checks.json']) {
  const checks = read(extra)
  if (checks) {
    passed += checks.passed
    failed += checks.failed
  }
}
// Runners that crashed before writing a report count as one failure each.
failed += Number(process.argv[2] ?? 0)
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`)
process.exit(failed > 0 ? 1 : 0)
