import { spawnSync } from 'node:child_process'
import { chromium, type Page } from '@playwright/test'
import { chromiumArgs } from '../playwright.config'
import { newRoomCode } from '../shared/util/roomCode'
import { joinMeeting } from '../test/helpers/meetingPage'
import { startHostProcess } from '../test/helpers/webHostProcess'
import { metric, percentile, report, round } from './lib'

const INSIDE = 'CONVENE_MEETING_BENCH_INSIDE'
const RUNS = 20

/**
 * Issue 7, G1: click "Join" → first remote video frame presented, on the local backend in the network namespace.
 * One participant (Ada) is already in the room with camera and microphone; each run opens a fresh page on a second
 * web host, clicks Join, and times in the page until Ada's video presents its first frame
 * (requestVideoFrameCallback). The join includes the room socket, sessions/new, the push of camera and mic, and
 * the pull of Ada's tracks. Goal: p50 ≤ 400 ms, p95 ≤ 700 ms.
 */
export async function run(): Promise<void> {
  if (process.env[INSIDE] === '1') {
    report('meeting-join', await measure())
    return
  }
  const result = spawnSync(
    './scripts/netns.sh',
    [process.execPath, '--import', 'tsx', 'bench/run.ts', 'meetingJoin'],
    {
      env: { ...process.env, [INSIDE]: '1' },
      stdio: 'inherit',
    },
  )
  if (result.status !== 0)
    throw new Error(`the meeting bench failed inside the network namespace (${result.status})`)
}

async function measure() {
  const backend = await startHostProcess({ script: 'server/serve.ts' })
  const guest = await startHostProcess({ args: backend.joinArgs })
  const browser = await chromium.launch({
    executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium',
    args: [...chromiumArgs, '--autoplay-policy=no-user-gesture-required'],
  })
  try {
    const room = newRoomCode()
    await joinMeeting(browser, backend, 'Ada', room)
    const samples: number[] = []
    for (let i = 0; i < RUNS; i++) {
      const context = await browser.newContext()
      const page = await context.newPage()
      // tsx compiles with keepNames, which wraps the in-page function's inner functions in `__name(...)`.
      await page.addInitScript({ content: 'globalThis.__name = (f) => f' })
      await page.goto(guest.url)
      await page.getByLabel('Your name').fill(`Guest ${i}`)
      await page.getByLabel('Your name').blur()
      await page.goto(`${guest.origin}/#/room/${room}`)
      await page.getByRole('button', { name: 'Join' }).waitFor()
      await waitEnabled(page)
      samples.push(await clickJoinAndTimeFirstFrame(page))
      await page.getByRole('button', { name: 'Leave' }).click()
      // The web host, not the page, is the room's client: wait until it has left, or the next join overlaps.
      await page.getByRole('heading', { name: 'You left the meeting' }).waitFor()
      await context.close()
    }
    return [
      metric({
        metric: 'join click → first remote frame p50',
        value: round(percentile(samples, 50)),
        unit: 'ms',
        goal: '≤ 400',
      }),
      metric({
        metric: 'join click → first remote frame p95',
        value: round(percentile(samples, 95)),
        unit: 'ms',
        goal: '≤ 700',
      }),
      metric({
        metric: 'join click → first remote frame max',
        value: round(Math.max(...samples)),
        unit: 'ms',
      }),
    ]
  } finally {
    await browser.close()
    await Promise.all([guest.stop(), backend.stop()])
  }
}

async function waitEnabled(page: Page): Promise<void> {
  const join = page.getByRole('button', { name: 'Join' })
  for (let i = 0; i < 200 && !(await join.isEnabled()); i++) await page.waitForTimeout(25)
}

/** Runs in the page: click Join, then wait for Ada's tile to present a frame. Returns milliseconds. */
function clickJoinAndTimeFirstFrame(page: Page): Promise<number> {
  return page.evaluate(
    () =>
      new Promise<number>((resolve, reject) => {
        // The Node tsconfig has no DOM types: name just what is used.
        type Video = { srcObject: unknown; requestVideoFrameCallback(cb: () => void): void }
        const g = globalThis as unknown as {
          document: {
            querySelector(s: string): { click(): void } | null
          }
          requestAnimationFrame(cb: () => void): void
          performance: { now(): number }
        }
        const button = [
          ...(
            g.document as unknown as {
              querySelectorAll(s: string): Iterable<{ textContent: string; click(): void }>
            }
          ).querySelectorAll('button'),
        ].find((b) => b.textContent === 'Join')
        if (!button) return reject(new Error('no Join button'))
        const t0 = g.performance.now()
        button.click()
        const deadline = t0 + 20_000
        let armed = false
        const tick = (): void => {
          if (g.performance.now() > deadline) return reject(new Error('no remote frame within 20 s'))
          const video = g.document.querySelector(
            '[data-name="Ada"][data-kind="camera"] video',
          ) as unknown as Video | null
          if (video?.srcObject && !armed) {
            armed = true
            video.requestVideoFrameCallback(() => resolve(g.performance.now() - t0))
          }
          g.requestAnimationFrame(tick)
        }
        tick()
      }),
  )
}
