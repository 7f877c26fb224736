import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Page } from '@playwright/test'
import { build } from 'esbuild'

let built: Promise<string> | undefined

/**
 * Bundle test/e2e/harness/recordingHarness.tsx (React plus the real recording modules) into a directory the web
 * host serves as its renderer (`--renderer`), so the page is on the host's own origin under the host's CSP,
 * exactly like the app. Built once per process.
 */
export function buildHarness(): Promise<string> {
  built ??= (async () => {
    const dir = mkdtempSync(join(tmpdir(), 'convene-harness-'))
    await build({
      entryPoints: { harness: 'test/e2e/harness/recordingHarness.tsx' },
      bundle: true,
      format: 'esm',
      platform: 'browser',
      target: 'chrome120',
      jsx: 'automatic',
      outdir: dir,
      define: { 'process.env.NODE_ENV': '"production"' },
      logLevel: 'warning',
    })
    writeFileSync(
      join(dir, 'index.html'),
      '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Recording harness</title>' +
        '<link rel="stylesheet" href="/harness.css"></head>' +
        '<body><div id="root"></div><script type="module" src="/harness.js"></script></body></html>',
    )
    return dir
  })()
  return built
}

/** Open the harness served by `host` (started with `rendererDir: await buildHarness()`). */
export async function openHarness(page: Page, host: { url: string }): Promise<void> {
  await page.goto(host.url)
  await page.locator('main[data-ready="true"]').waitFor()
}
