import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { _electron, expect, test } from '@playwright/test'
import { ELECTRON_SKIP_REASON, electronBinary } from '../helpers/electronBinary'
import { startHostProcess, type HostProcess } from '../helpers/webHostProcess'

/*
 * Desktop integration (issue 10). The Electron half runs where an Electron binary exists (against the unpackaged
 * build in out/: Playwright cannot drive a packaged app whose nodeCliInspect fuse is off) and is reported as
 * skipped elsewhere. The web half checks the renderer side of links and updates in Debian Chromium.
 */

test.describe('desktop shell (Electron)', () => {
  const exe = electronBinary()
  test.skip(exe === null, ELECTRON_SKIP_REASON)

  const launch = (...links: string[]) =>
    _electron.launch({
      executablePath: exe!,
      args: [
        resolve('out/main/index.js'),
        `--user-data-dir=${mkdtempSync(join(tmpdir(), 'convene-electron-'))}`,
        ...links,
      ],
      env: { ...process.env, ELECTRON_ENABLE_LOGGING: '1' },
    })

  test('a convene:// link on the command line opens that lobby and joins nothing', async () => {
    const app = await launch('convene://join/abc-defg-hjk')
    const page = await app.firstWindow()
    await expect(page.getByTestId('room-code')).toHaveText('abc-defg-hjk')
    await expect(page.getByRole('button', { name: /leave/i })).toHaveCount(0)
    await app.close()
  })

  test('a malformed link shows why it cannot open', async () => {
    const app = await launch('convene://join/not-a-room')
    const page = await app.firstWindow()
    await expect(page.getByTestId('link-problem')).toContainText('“not-a-room”, is not valid')
    await app.close()
  })

  test('an unpackaged build reports that it cannot update itself', async () => {
    const app = await launch()
    const page = await app.firstWindow()
    await page.evaluate(
      () => ((globalThis as unknown as { location: { hash: string } }).location.hash = '#/settings'),
    )
    await expect(page.getByTestId('updates-unsupported')).toBeVisible()
    await app.close()
  })
})

test.describe('desktop integration in the renderer (web mode)', () => {
  let host: HostProcess
  test.beforeAll(async () => {
    host = await startHostProcess()
  })
  test.afterAll(async () => {
    await host.stop()
  })

  test('a malformed room address explains itself instead of joining or 404ing', async ({ page }) => {
    await page.goto(host.url)
    await expect(page.getByRole('heading', { name: 'Meet now' })).toBeVisible()
    await page.evaluate(
      () => ((globalThis as unknown as { location: { hash: string } }).location.hash = '#/room/not-a-room'),
    )
    await expect(page.getByTestId('link-problem')).toContainText('“not-a-room” is not a Convene room code')
    await page.getByRole('link', { name: 'Go home' }).click()
    await expect(page.getByRole('heading', { name: 'Meet now' })).toBeVisible()
  })

  test('settings say that web mode does not update itself', async ({ page }) => {
    await page.goto(host.url)
    await page.getByRole('link', { name: 'Settings' }).click()
    await expect(page.getByTestId('updates-unsupported')).toContainText('cannot update itself')
  })
})
