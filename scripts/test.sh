#!/usr/bin/env bash
# The whole suite, as CI runs it: static checks, unit and service tests, build, security scan, browser E2E.
# Every step runs even when an earlier one failed; the last line sums all runners: "N passed, N failed, N skipped".
set -uo pipefail
source "$(dirname "$0")/env.sh"
cd "$CONVENE_ROOT"
ensure_deps || exit 1
rm -rf test-results && mkdir -p test-results
crashed=0
checks_passed=0
checks_failed=0
check() { # a named pass/fail step that is not a test runner
  local name="$1"; shift
  echo "::: $name"
  if "$@"; then checks_passed=$((checks_passed + 1)); else echo "FAILED: $name" >&2; checks_failed=$((checks_failed + 1)); fi
}
runner() { # a test runner that writes its own JSON report; a crash without a report counts as a failure
  local name="$1" report="$2"; shift 2
  echo "::: $name"
  "$@"
  local rc=$?
  if [ $rc -ne 0 ] && [ ! -s "$report" ]; then echo "FAILED: $name crashed (exit $rc)" >&2; crashed=$((crashed + 1)); fi
}

check lint npx eslint . --max-warnings 0
check format npx prettier --check . --log-level warn
check typecheck npm run -s typecheck
check build npx electron-vite build
check electronegativity node scripts/electronegativity.mjs
check builder-config npx tsx scripts/check-builder-config.ts
runner vitest test-results/vitest.json npx vitest run --reporter=default --reporter=json --outputFile=test-results/vitest.json
runner vitest-worker test-results/vitest-worker.json npx vitest run --config worker/vitest.config.ts --reporter=default --reporter=json --outputFile=test-results/vitest-worker.json
runner playwright test-results/e2e.json ./scripts/netns.sh npx playwright test

printf '{"passed":%d,"failed":%d}\n' "$checks_passed" "$checks_failed" > test-results/checks.json
node scripts/summary.mjs "$crashed"
