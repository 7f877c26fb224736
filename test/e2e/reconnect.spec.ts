import { expect, test, type Page } from '@playwright/test'
import { newRoomCode } from '../../shared/util/roomCode'
import { framesOf, joinMeeting } from '../helpers/meetingPage'
import { startSplitBackend, type SplitBackend } from '../helpers/splitBackend'
import { startHostProcess, type HostProcess } from '../helpers/webHostProcess'
import { hasInterface, setMediaAddress } from '../helpers/netnsLink'

/*
 * Issue 7 fault tests. The tests run inside the private network namespace (scripts/netns.sh), where media uses the
 * veth address 10.77.0.1 and HTTP/WebSocket use 127.0.0.1.
 *
 * 1. The media link is cut for 3 s. Removing that address for 3 s cuts exactly the media path (this kernel has no
 *    netem and no iptables; taking the link down would not cut traffic between two local addresses).
 * 2. The media server is killed and started again: every Calls session is gone.
 * 3. The room hub is killed and started again (with its journal, as `npm run serve` runs it, and without).
 *
 * Each time everyone must show "Reconnecting…", and media and chat must come back by themselves. The bounds are
 * generous on purpose; how fast is the bench's business.
 */
test.setTimeout(180_000)

test.describe('link cut', () => {
  let backend: HostProcess
  let guest: HostProcess
  test.beforeAll(async () => {
    backend = await startHostProcess({ script: 'server/serve.ts' })
    guest = await startHostProcess({ args: backend.joinArgs })
  })
  test.afterAll(async () => {
    setMediaAddress('add')
    await Promise.all([guest?.stop(), backend?.stop()])
  })

  test('a 3 s cut of the media link shows reconnecting, then media flows again by itself', async ({
    browser,
  }) => {
    test.skip(!hasInterface('rtc0'), 'needs the network namespace from scripts/netns.sh')
    const room = newRoomCode()
    const ada = await joinMeeting(browser, backend, 'Ada', room)
    const bob = await joinMeeting(browser, guest, 'Bob', room)
    await expect.poll(() => framesOf(ada, 'Bob'), { timeout: 30_000 }).toBeGreaterThan(0)
    await expect.poll(() => framesOf(bob, 'Ada'), { timeout: 30_000 }).toBeGreaterThan(0)

    await Promise.all([recordStatus(ada), recordStatus(bob)])
    setMediaAddress('del')
    // Each participant notices on its own schedule; what matters is that each one showed it.
    for (const page of [ada, bob]) {
      await expect.poll(() => statusSeen(page), { timeout: 20_000 }).toContain('Reconnecting…')
    }
    await new Promise((r) => setTimeout(r, 3000))
    setMediaAddress('add')

    await expect(ada.getByTestId('connection-status')).toHaveText('Connected', { timeout: 60_000 })
    await expect(bob.getByTestId('connection-status')).toHaveText('Connected', { timeout: 60_000 })
    for (const [page, other] of [
      [ada, 'Bob'],
      [bob, 'Ada'],
    ] as const) {
      const before = await framesOf(page, other)
      await expect.poll(() => framesOf(page, other), { timeout: 60_000 }).toBeGreaterThan(before)
    }
  })
})

/** Two web hosts (Ada's and Bob's) on a backend whose media server and hub run as separate processes. */
function onSplitBackend(hubStorage: boolean): {
  backend: () => SplitBackend
  hosts: () => readonly [HostProcess, HostProcess]
} {
  let backend: SplitBackend | undefined
  let hosts: [HostProcess, HostProcess] | undefined
  test.beforeAll(async () => {
    backend = await startSplitBackend({ hubStorage })
    const args = backend.joinArgs
    hosts = [await startHostProcess({ args }), await startHostProcess({ args })]
  })
  test.afterEach(async () => {
    // On failure, what the hosts' Calls and room clients logged (they log each failed operation).
    if (test.info().status === test.info().expectedStatus) return
    for (const [i, host] of (hosts ?? []).entries())
      await test.info().attach(`host-${i}.log`, { body: host.output(), contentType: 'text/plain' })
    if (backend)
      await test.info().attach('backend.log', { body: backend.output(), contentType: 'text/plain' })
  })
  test.afterAll(async () => {
    await Promise.all([...(hosts ?? []).map((h) => h.stop()), backend?.stop()])
  })
  return { backend: () => backend!, hosts: () => hosts! }
}

/** Ada and Bob in one meeting, seeing each other, with the connection pill recorded. */
async function meeting(
  browser: Parameters<typeof joinMeeting>[0],
  hosts: readonly [HostProcess, HostProcess],
) {
  const room = newRoomCode()
  const ada = await joinMeeting(browser, hosts[0], 'Ada', room)
  const bob = await joinMeeting(browser, hosts[1], 'Bob', room)
  await expect.poll(() => framesOf(ada, 'Bob'), { timeout: 30_000 }).toBeGreaterThan(0)
  await expect.poll(() => framesOf(bob, 'Ada'), { timeout: 30_000 }).toBeGreaterThan(0)
  for (const page of [ada, bob]) await page.getByRole('button', { name: /^Chat/ }).click()
  await Promise.all([recordStatus(ada), recordStatus(bob)])
  return { ada, bob }
}

async function expectRecovered(ada: Page, bob: Page): Promise<void> {
  for (const page of [ada, bob])
    await expect(page.getByTestId('connection-status')).toHaveText('Connected', { timeout: 45_000 })
  for (const [page, other] of [
    [ada, 'Bob'],
    [bob, 'Ada'],
  ] as const) {
    await expect.poll(() => framesRising(page, other), { timeout: 45_000 }).toBe(true)
  }
}

/**
 * Whether `other`'s camera decodes new frames now. Two reads a moment apart, not a baseline from before: after a
 * rebuild the counter starts again from zero on a new connection.
 */
async function framesRising(page: Page, other: string): Promise<boolean> {
  const first = await framesOf(page, other)
  await new Promise((r) => setTimeout(r, 1500))
  const second = await framesOf(page, other)
  return first > 0 && second > first
}

async function sendChat(page: Page, text: string): Promise<void> {
  await page.getByLabel('Message everyone').fill(text)
  await page.getByRole('button', { name: 'Send' }).click()
}

/** `text` shows exactly once for both, and stays that way a moment later (a late duplicate would show). */
async function expectChatOnce(pages: readonly Page[], text: string): Promise<void> {
  for (const page of pages)
    await expect(page.getByTestId('chat-line').filter({ hasText: text })).toHaveCount(1, { timeout: 45_000 })
  await new Promise((r) => setTimeout(r, 1500))
  for (const page of pages)
    await expect(page.getByTestId('chat-line').filter({ hasText: text })).toHaveCount(1)
}

test.describe('media server restart', () => {
  const setup = onSplitBackend(true)

  test('a killed and restarted media server shows reconnecting, then media and chat flow again by themselves', async ({
    browser,
  }) => {
    test.skip(!hasInterface('rtc0'), 'needs the network namespace from scripts/netns.sh')
    const { ada, bob } = await meeting(browser, setup.hosts())

    const killedAt = Date.now()
    await setup.backend().restartSfu()
    for (const page of [ada, bob])
      await expect.poll(() => statusSeen(page), { timeout: 30_000 }).toContain('Reconnecting…')
    await expectRecovered(ada, bob)
    await noteTimeline({ Ada: ada, Bob: bob }, killedAt, Date.now())
    // Each now pulls the other's new session, not the dead one.
    for (const page of [ada, bob]) await expect(page.locator('[data-kind="camera"]')).toHaveCount(2)
    await sendChat(bob, 'after the media server came back')
    await expectChatOnce([ada, bob], 'after the media server came back')
  })
})

for (const [label, hubStorage] of [
  ['with its journal', true],
  ['without storage', false],
] as const) {
  test.describe(`hub restart ${label}`, () => {
    const setup = onSplitBackend(hubStorage)

    test(`a killed and restarted hub (${label}) shows reconnecting; chat sent meanwhile arrives once`, async ({
      browser,
    }) => {
      test.skip(!hasInterface('rtc0'), 'needs the network namespace from scripts/netns.sh')
      const { ada, bob } = await meeting(browser, setup.hosts())
      await sendChat(ada, 'before the hub went down')
      await expectChatOnce([ada, bob], 'before the hub went down')

      const killedAt = Date.now()
      await setup.backend().killHub()
      for (const page of [ada, bob])
        await expect.poll(() => statusSeen(page), { timeout: 30_000 }).toContain('Reconnecting…')
      await sendChat(ada, 'sent while the hub was down')
      await new Promise((r) => setTimeout(r, 3000))
      await setup.backend().startHub()

      await expectRecovered(ada, bob)
      await noteTimeline({ Ada: ada, Bob: bob }, killedAt, Date.now())
      await expectChatOnce([ada, bob], 'sent while the hub was down')
      await sendChat(bob, 'after the hub came back')
      await expectChatOnce([ada, bob], 'after the hub came back')
      for (const page of [ada, bob]) {
        await expect(page.locator('[data-kind="camera"]')).toHaveCount(2)
        // What was said before stays on screen once, whether or not the hub kept its history.
        await expect(
          page.getByTestId('chat-line').filter({ hasText: 'before the hub went down' }),
        ).toHaveCount(1)
      }
    })
  })
}

/** Start recording every text the connection pill shows, so a short "Reconnecting…" is not missed. */
async function recordStatus(page: Page): Promise<void> {
  await page.evaluate(() => {
    // This runs in the page; the Node tsconfig has no DOM types, so name just what is used.
    const g = globalThis as unknown as {
      __status?: string[]
      __detail?: Array<readonly [string, number]>
      document: {
        querySelector(
          selector: string,
        ): { textContent: string | null; getAttribute(name: string): string | null } | null
      }
      MutationObserver: new (callback: () => void) => { observe(target: unknown, options: object): void }
    }
    g.__status = []
    g.__detail = []
    const read = (): void => {
      const pill = g.document.querySelector('[data-testid="connection-status"]')
      const text = pill?.textContent ?? ''
      const detail = `room ${pill?.getAttribute('data-room-state')}, call ${pill?.getAttribute('data-call-state')}`
      if (g.__detail && g.__detail.at(-1)?.[0] !== detail) g.__detail.push([detail, Date.now()])
      if (g.__status && g.__status.at(-1) !== text) g.__status.push(text)
    }
    const meeting = g.document.querySelector('[data-testid="meeting"]')
    if (meeting)
      new g.MutationObserver(read).observe(meeting, {
        subtree: true,
        childList: true,
        characterData: true,
        attributes: true,
      })
    read()
  })
}

/**
 * For the report, not an assertion: when each participant's pill changed, in seconds after `since` (the fault).
 * Speed is the bench's business; this only says what happened in which order.
 */
async function noteTimeline(pages: Record<string, Page>, since: number, recoveredAt: number): Promise<void> {
  const parts: string[] = []
  for (const [name, page] of Object.entries(pages)) {
    // Which of the room and the media connection was down when, as the pill's data attributes said.
    const seen = await page.evaluate(
      () => (globalThis as unknown as { __detail?: Array<readonly [string, number]> }).__detail ?? [],
    )
    const changes = seen.filter(([, at]) => at >= since)
    parts.push(
      `${name}: ${changes.map(([text, at]) => `${text} +${((at - since) / 1000).toFixed(1)}s`).join(', ')}`,
    )
  }
  parts.push(`media rising both ways by +${((recoveredAt - since) / 1000).toFixed(1)}s`)
  test.info().annotations.push({ type: 'timeline', description: parts.join('; ') })
  process.stdout.write(`timeline: ${parts.join('; ')}\n`)
}

function statusSeen(page: Page): Promise<string[]> {
  return page.evaluate(() => (globalThis as unknown as { __status?: string[] }).__status ?? [])
}
