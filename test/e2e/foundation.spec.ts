import { mkdirSync, readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import AxeBuilder from '@axe-core/playwright'
import { expect, test, type Page } from '@playwright/test'
import { startHostProcess, type HostProcess } from '../helpers/webHostProcess'

const APP_ID = '0123456789abcdef0123456789abcdef'
const APP_SECRET = 'S3cr3tCallsAppSecret_9f8e7d6c5b4a39281706f5e4d3c2b1a0ZZ'
const TURN_TOKEN = 'TurnTok_aa11bb22cc33dd44ee55ff66gg77hh88ii99jj00'
const SCREENSHOTS = 'test-results/screenshots'

let host: HostProcess
test.beforeAll(async () => {
  mkdirSync(SCREENSHOTS, { recursive: true })
  host = await startHostProcess()
})
test.afterAll(async () => {
  await host.stop()
})

/** Every frame the page receives over the web-mode socket: what "IPC responses" are in web mode. */
function captureFrames(page: Page): string[] {
  const frames: string[] = []
  page.on('websocket', (ws) => ws.on('framereceived', (f) => frames.push(String(f.payload))))
  return frames
}

test('settings keep credentials in the vault: configured after reload, secret nowhere visible', async ({
  page,
}) => {
  const frames = captureFrames(page)
  await page.goto(host.url)
  await expect(page.getByRole('heading', { name: 'Meet now' })).toBeVisible()
  // The launch token is taken out of the address bar.
  expect(page.url()).not.toContain('token=')

  await page.getByLabel('Your name').fill('Ada Lovelace')
  await page.getByLabel('Your name').blur()
  await page.screenshot({ path: `${SCREENSHOTS}/home.png`, fullPage: true })

  await page.getByRole('link', { name: 'Settings' }).click()
  await page.getByRole('radio', { name: /Cloudflare Calls/ }).click()
  await expect(page.getByRole('radio', { name: /Cloudflare Calls/ })).toBeChecked()
  await page.getByLabel('App ID').fill('not-hex')
  await page.getByRole('button', { name: 'Save IDs' }).click()
  await expect(
    page.getByRole('alert').filter({ hasText: 'App ID must be the 32-character hexadecimal ID' }),
  ).toBeVisible()
  await page.getByLabel('App ID').fill(APP_ID)
  await page.getByRole('button', { name: 'Save IDs' }).click()
  await expect(page.getByText('Settings saved.')).toBeVisible()

  await page.getByLabel('App secret').fill('has a space')
  await page
    .locator('form.secret')
    .filter({ hasText: 'App secret' })
    .getByRole('button', { name: 'Save' })
    .click()
  await expect(page.getByText(/Calls app secret must be/)).toBeVisible()

  await page.getByLabel('App secret').fill(APP_SECRET)
  await page
    .locator('form.secret')
    .filter({ hasText: 'App secret' })
    .getByRole('button', { name: 'Save' })
    .click()
  await expect(page.getByTestId('callsAppSecret-status')).toHaveText(`Configured (…${APP_SECRET.slice(-4)})`)
  await expect(page.getByLabel('App secret')).toHaveValue('')

  await page.getByLabel('TURN API token').fill(TURN_TOKEN)
  await page
    .locator('form.secret')
    .filter({ hasText: 'TURN API token' })
    .getByRole('button', { name: 'Save' })
    .click()
  await expect(page.getByTestId('turnApiToken-status')).toHaveText(`Configured (…${TURN_TOKEN.slice(-4)})`)

  await page.reload()
  await expect(page.getByTestId('callsAppSecret-status')).toHaveText(`Configured (…${APP_SECRET.slice(-4)})`)
  await expect(page.getByTestId('turnApiToken-status')).toHaveText(`Configured (…${TURN_TOKEN.slice(-4)})`)
  await expect(page.getByLabel('App ID')).toHaveValue(APP_ID)
  await page.screenshot({ path: `${SCREENSHOTS}/settings.png`, fullPage: true })

  await page.getByRole('link', { name: 'Home', exact: true }).click()
  await expect(page.getByLabel('Your name')).toHaveValue('Ada Lovelace')

  const leaks = (text: string): string[] => [APP_SECRET, TURN_TOKEN].filter((s) => text.includes(s))
  expect(leaks(await page.content()), 'DOM').toEqual([])
  expect(frames.length).toBeGreaterThan(5)
  expect(leaks(frames.join('\n')), 'IPC responses').toEqual([])
  expect(leaks(readFileSync(join(host.dataDir, 'convene.log'), 'utf8')), 'log file').toEqual([])
  expect(leaks(host.output()), 'host output').toEqual([])
  for (const file of readdirSync(host.dataDir)) {
    expect(leaks(readFileSync(join(host.dataDir, file), 'utf8')), file).toEqual([])
  }
})

test('a page from another origin cannot drive the host, even with the token', async ({ page }) => {
  await page.route('http://evil.test/', (route) =>
    route.fulfill({ contentType: 'text/html', body: '<!doctype html><title>evil</title>' }),
  )
  await page.goto('http://evil.test/')
  const outcome = await page.evaluate(
    async (url) => {
      return new Promise<string>((resolve) => {
        const ws = new WebSocket(url)
        ws.onopen = () => resolve('open')
        ws.onerror = () => resolve('refused')
      })
    },
    `${host.origin.replace('http', 'ws')}/rpc?token=${host.token}`,
  )
  expect(outcome).toBe('refused')
})

test('home and settings have no serious accessibility violations', async ({ page }) => {
  await page.goto(host.url)
  await expect(page.getByRole('heading', { name: 'Meet now' })).toBeVisible()
  for (const route of ['#/', '#/settings']) {
    await page.goto(`${host.origin}/${route}`)
    await expect(page.getByRole('heading').first()).toBeVisible()
    const results = await new AxeBuilder({ page }).analyze()
    const serious = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
    expect(
      serious.map((v) => `${v.id}: ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`),
    ).toEqual([])
  }
})

test('a new meeting gets a room code and a lobby route', async ({ page }) => {
  await page.goto(host.url)
  await page.getByLabel('Your name').fill('Grace')
  await page.getByRole('button', { name: 'New meeting' }).click()
  await expect(page.getByTestId('room-code')).toHaveText(/^[a-z]{3}-[a-z]{4}-[a-z]{3}$/)
  await page.goto(`${host.origin}/#/`)
  await page.getByLabel('Join with a code or link').fill('definitely not a code')
  await page.getByRole('button', { name: 'Join' }).click()
  await expect(page.getByText(/not a room code or a Convene link/)).toBeVisible()
})
