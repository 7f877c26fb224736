import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { chromium, type Browser, type Page } from '@playwright/test'
import { chromiumArgs } from '../playwright.config'
import { startHostProcess } from '../test/helpers/webHostProcess'
import { metric, percentile, report, round } from './lib'

const RUNS = 5

/**
 * Web-mode cold start: spawn the host the way the README does, open its URL in Chromium, and time until the
 * home screen is painted with live settings (first contentful paint, then the heading that needs an IPC round
 * trip). Baseline: the same browser loading a static page from a bare Node server, so the ratio is our own cost.
 */
export async function run(): Promise<void> {
  const browser = await chromium.launch({
    executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium',
    args: chromiumArgs,
  })
  try {
    const toReady: number[] = []
    const fcp: number[] = []
    const baseline: number[] = []
    for (let i = 0; i < RUNS; i++) {
      const t0 = performance.now()
      const host = await startHostProcess()
      const spawned = performance.now() - t0
      const page = await browser.newPage()
      const tNav = performance.now()
      await page.goto(host.url)
      await page.getByRole('heading', { name: 'Meet now' }).waitFor()
      toReady.push(spawned + (performance.now() - tNav))
      fcp.push(await firstContentfulPaint(page))
      await page.close()
      await host.stop()
      baseline.push(await staticBaseline(browser))
    }
    report('web-cold-start', [
      metric({ metric: 'spawn → home ready p50', value: round(percentile(toReady, 50)), unit: 'ms' }),
      metric({ metric: 'spawn → home ready p95', value: round(percentile(toReady, 95)), unit: 'ms' }),
      metric({
        metric: 'navigation → first contentful paint p50',
        value: round(percentile(fcp, 50)),
        unit: 'ms',
        baseline: round(percentile(baseline, 50)),
      }),
    ])
  } finally {
    await browser.close()
  }
}

async function firstContentfulPaint(page: Page): Promise<number> {
  return page.evaluate(
    () => performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? Number.NaN,
  )
}

async function staticBaseline(browser: Browser): Promise<number> {
  const server = createServer((_req, res) => res.end('<!doctype html><h1>Meet now</h1>'))
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()))
  const page = await browser.newPage()
  await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`)
  await page.getByRole('heading').waitFor()
  const value = await firstContentfulPaint(page)
  await page.close()
  server.close()
  return value
}
