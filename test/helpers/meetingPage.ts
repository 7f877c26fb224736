import { expect, type Browser, type Page } from '@playwright/test'
import type { HostProcess } from './webHostProcess'

/**
 * A new browser context on `host`: set the display name, open the room's lobby, click Join, wait for the meeting.
 * `camera: false` turns the camera off in the lobby first; `initScripts` run in the page before the app (benches).
 */
export async function joinMeeting(
  browser: Browser,
  host: HostProcess,
  name: string,
  room: string,
  options: { readonly camera?: boolean; readonly initScripts?: readonly string[] } = {},
): Promise<Page> {
  const context = await browser.newContext()
  for (const content of options.initScripts ?? []) await context.addInitScript({ content })
  const page = await context.newPage()
  await page.goto(host.url)
  await page.getByLabel('Your name').fill(name)
  await page.getByLabel('Your name').blur()
  await expect(page.getByLabel('Your name')).toHaveValue(name)
  await page.goto(`${host.origin}/#/room/${room}`)
  // The lobby must have the saved name: otherwise this joins as "Guest" and every later look-up by name fails.
  await expect(page.getByText(/^Joining as/)).toContainText(name)
  if (options.camera === false) await page.getByRole('button', { name: 'Camera on' }).click()
  await expect(page.getByRole('button', { name: 'Join' })).toBeEnabled()
  await page.getByRole('button', { name: 'Join' }).click()
  await expect(page.getByTestId('meeting')).toBeVisible()
  return page
}

/** Frames decoded for the camera tile of `name`, from the engine's getStats sampling (0 until the first sample). */
export function framesOf(page: Page, name: string, kind: 'camera' | 'screen' = 'camera'): Promise<number> {
  return page
    .locator(`[data-kind="${kind}"][data-name="${name}"]`)
    .getAttribute('data-frames-decoded')
    .then((v) => Number(v ?? 0))
}
