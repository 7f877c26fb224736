import { expect, type Browser, type Page } from '@playwright/test'
import type { HostProcess } from './webHostProcess'

/** A new browser context on `host`: set the display name, open the room's lobby, click Join, wait for the meeting. */
export async function joinMeeting(
  browser: Browser,
  host: HostProcess,
  name: string,
  room: string,
): Promise<Page> {
  const page = await (await browser.newContext()).newPage()
  await page.goto(host.url)
  await page.getByLabel('Your name').fill(name)
  await page.getByLabel('Your name').blur()
  await expect(page.getByLabel('Your name')).toHaveValue(name)
  await page.goto(`${host.origin}/#/room/${room}`)
  // The lobby must have the saved name: otherwise this joins as "Guest" and every later look-up by name fails.
  await expect(page.getByText(/^Joining as/)).toContainText(name)
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
