import { mkdirSync } from 'node:fs'
import AxeBuilder from '@axe-core/playwright'
import { expect, test, type Page } from '@playwright/test'
import { newRoomCode } from '../../shared/util/roomCode'
import { framesOf, joinMeeting } from '../helpers/meetingPage'
import { startHostProcess, type HostProcess } from '../helpers/webHostProcess'

/*
 * Issue 7 acceptance in web mode on the local backend, inside the private network namespace (scripts/netns.sh):
 * `server/serve.ts` hosts the SFU, the room hub and participant 1's app; every other participant is its own
 * web host (its own "main process") joined to that backend, as another desktop app on the LAN would be.
 * Media assertions read `getStats()` numbers that the meeting engine surfaces on each tile.
 */
const SHOTS = 'test-results/screenshots'
let backend: HostProcess
const guests: HostProcess[] = []

test.describe.configure({ mode: 'serial' })
test.setTimeout(120_000)

test.beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true })
  backend = await startHostProcess({ script: 'server/serve.ts' })
  expect(backend.joinArgs.length).toBeGreaterThan(0)
  for (let i = 0; i < 3; i++) guests.push(await startHostProcess({ args: backend.joinArgs }))
})
test.afterAll(async () => {
  await Promise.all([...guests.map((g) => g.stop()), backend?.stop()])
})

async function expectDecoding(page: Page, name: string): Promise<void> {
  await expect.poll(() => framesOf(page, name), { timeout: 30_000 }).toBeGreaterThan(0)
  const first = await framesOf(page, name)
  await expect.poll(() => framesOf(page, name), { timeout: 15_000 }).toBeGreaterThan(first)
}

async function expectAudio(page: Page, count: number): Promise<void> {
  await expect
    .poll(
      async () =>
        (
          await page
            .getByTestId('remote-audio')
            .evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-packets'))))
        ).filter((n) => n > 0).length,
      {
        timeout: 30_000,
      },
    )
    .toBe(count)
}

test('three people see and hear each other; mute and camera show on the others', async ({ browser }) => {
  const room = newRoomCode()
  const ada = await joinMeeting(browser, backend, 'Ada', room)
  const bob = await joinMeeting(browser, guests[0]!, 'Bob', room)
  const cy = await joinMeeting(browser, guests[1]!, 'Cy', room)
  const everyone: Array<[Page, string]> = [
    [ada, 'Ada'],
    [bob, 'Bob'],
    [cy, 'Cy'],
  ]
  for (const [page, me] of everyone) {
    for (const [, other] of everyone) if (other !== me) await expectDecoding(page, other)
    await expectAudio(page, 2)
  }
  await ada.screenshot({ path: `${SHOTS}/meeting-3.png` })

  await bob.getByRole('button', { name: 'Mute' }).click()
  await expect(ada.locator('[data-name="Bob"][data-kind="camera"]')).toHaveAttribute('data-muted', 'true')
  await expect(cy.locator('[data-name="Bob"][data-kind="camera"]')).toHaveAttribute('data-muted', 'true')
  await bob.getByRole('button', { name: 'Unmute' }).click()
  await expect(ada.locator('[data-name="Bob"][data-kind="camera"]')).toHaveAttribute('data-muted', 'false')

  await cy.getByRole('button', { name: 'Stop video' }).click()
  await expect(ada.locator('[data-name="Cy"][data-kind="camera"]')).toHaveAttribute('data-video-off', 'true')
  await cy.getByRole('button', { name: 'Start video' }).click()
  await expect(ada.locator('[data-name="Cy"][data-kind="camera"]')).toHaveAttribute('data-video-off', 'false')
  await expectDecoding(ada, 'Cy')

  // Screen share: the others get a share tile on stage that decodes; stopping removes it.
  await bob.getByRole('button', { name: 'Share screen' }).click()
  const share = ada.locator('[data-kind="screen"][data-name="Bob"]')
  await expect(share).toBeVisible({ timeout: 20_000 })
  await expect
    .poll(async () => Number((await share.getAttribute('data-frames-decoded')) ?? 0), { timeout: 30_000 })
    .toBeGreaterThan(0)
  await ada.screenshot({ path: `${SHOTS}/screen-share.png` })
  await bob.getByRole('button', { name: 'Stop sharing' }).click()
  await expect(share).toHaveCount(0)

  // Chat: exactly once for the other two, and for someone who joins later.
  await ada.getByRole('button', { name: /^Chat/ }).click()
  await ada.getByLabel('Message everyone').fill('hello from Ada')
  await ada.getByRole('button', { name: 'Send' }).click()
  for (const page of [bob, cy]) {
    await page.getByRole('button', { name: /^Chat/ }).click()
    await expect(page.getByTestId('chat-line').filter({ hasText: 'hello from Ada' })).toHaveCount(1)
  }
  await expect(ada.getByTestId('chat-line').filter({ hasText: 'hello from Ada' })).toHaveCount(1)
  await ada.screenshot({ path: `${SHOTS}/chat.png` })
  const dee = await joinMeeting(browser, guests[2]!, 'Dee', room)
  await dee.getByRole('button', { name: /^Chat/ }).click()
  await expect(dee.getByTestId('chat-line').filter({ hasText: 'hello from Ada' })).toHaveCount(1)

  // The host removes Dee: Dee is told why, the others see Dee gone.
  await ada.getByRole('button', { name: 'People' }).click()
  await ada.getByRole('button', { name: 'Remove Dee' }).click()
  await expect(dee.getByTestId('leave-reason')).toContainText('removed you')
  await expect(bob.locator('[data-name="Dee"]')).toHaveCount(0)
  await expect(cy.locator('[data-name="Dee"]')).toHaveCount(0)

  const results = await new AxeBuilder({ page: ada }).include('[data-testid="meeting"]').analyze()
  const serious = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
  expect(serious.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([])
})

test('the lobby shows a camera preview and device pickers, and passes an accessibility check', async ({
  browser,
}) => {
  const page = await (await browser.newContext()).newPage()
  await page.goto(guests[0]!.url)
  await page.goto(`${guests[0]!.origin}/#/room/${newRoomCode()}`)
  await expect(page.getByRole('button', { name: 'Join' })).toBeEnabled()
  await expect(page.getByLabel('Camera', { exact: true })).toBeVisible()
  await page.screenshot({ path: `${SHOTS}/lobby.png` })
  const results = await new AxeBuilder({ page }).analyze()
  const serious = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
  expect(serious.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([])
})
