import { mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { expect, test, type Browser, type Page } from '@playwright/test'
import { planFinalize } from '../../electron/main/recording/webmLayout'
import { WebmScanner } from '../../electron/main/recording/WebmScanner'
import { newRoomCode } from '../../shared/util/roomCode'
import { startDirectHost, type DirectHost } from '../helpers/directHostProcess'
import { gridLayout } from '../../renderer/src/recording/layout'
import { decodeAll, frameAt, meanVolume, packetTimes, probe } from '../helpers/mediaProbe'
import { framesOf, joinMeeting } from '../helpers/meetingPage'
import { buildHarness, openHarness } from '../helpers/recordingHarness'
import { startHostProcess, type HostProcess } from '../helpers/webHostProcess'

const SCREENSHOTS = 'test-results/screenshots'
const RECORD_MS = 10_000

test.beforeAll(() => mkdirSync(SCREENSHOTS, { recursive: true }))

/** Measured values, kept in the test report (test-results/e2e.json). */
function note(description: string): void {
  test.info().annotations.push({ type: 'measured', description })
}

/** Where each track starts and ends in the file (seconds), to tell a late first frame from a lost last one. */
async function trackSpans(file: string): Promise<string> {
  const span = (t: number[]) => `${Math.min(...t).toFixed(3)}-${Math.max(...t).toFixed(3)} s`
  return `video ${span(await packetTimes(file, 'v'))}, audio ${span(await packetTimes(file, 'a'))}`
}

function recordingFiles(dataDir: string): string[] {
  const dir = join(dataDir, 'recordings')
  return readdirSync(dir)
    .filter((f) => f.endsWith('.webm'))
    .map((f) => join(dir, f))
}

/** The recorder's own media clock (pauses excluded), read in the page. */
function elapsedMs(page: Page): Promise<number> {
  return page.evaluate(
    () =>
      (globalThis as unknown as { __harness: { recorder: { elapsedMs: number } } }).__harness.recorder
        .elapsedMs,
  )
}

async function startRecording(page: Page): Promise<void> {
  // Three participant tiles playing before we record, so the first frames already show them.
  await expect
    .poll(() =>
      page
        .getByTestId('participant-video')
        .evaluateAll(
          (videos) => videos.filter((v) => (v as unknown as { readyState: number }).readyState >= 2).length,
        ),
    )
    .toBe(3)
  await page.getByRole('button', { name: 'Record meeting' }).click()
  await expect(page.getByTestId('recording-indicator')).toBeVisible()
  await expect(page.getByTestId('recording-indicator')).toContainText('Recording')
  await expect(page.getByTestId('recording-notice')).toBeVisible()
}

// No retries. The file once came out 1,007 ms longer than the page's clock on a loaded box: the clock started at
// MediaRecorder's `start` event, which Chromium creates on the main thread, while capture starts at the start()
// call (audio at once). A main thread busy for a second after start() reproduced it; the clock now starts at the
// call (Recorder.start).

test('records 10 s of a 3-participant meeting into a playable, seekable WebM', async ({ page }) => {
  test.setTimeout(120_000)
  const host = await startDirectHost({ rendererDir: await buildHarness() })
  try {
    await openHarness(page, host)
    await startRecording(page)
    await page.screenshot({ path: `${SCREENSHOTS}/recording-live.png`, fullPage: true })
    await expect
      .poll(() => elapsedMs(page), { timeout: 30_000, intervals: [250] })
      .toBeGreaterThanOrEqual(RECORD_MS)

    await page.getByRole('button', { name: 'Stop recording' }).click()
    const saved = page.getByTestId('recording-saved')
    await expect(saved).toContainText('Saved', { timeout: 30_000 })
    const recordedMs = Number(await saved.getAttribute('data-elapsed-ms'))
    await expect(page.getByTestId('recording-indicator')).toBeHidden()
    await expect(page.getByTestId('recording-notice')).toBeHidden()

    const files = recordingFiles(host.dataDir)
    expect(files).toHaveLength(1)
    const file = files[0]!
    expect(file).toMatch(/abc-defg-hij-\d{4}-\d{2}-\d{2}_\d{2}-\d{2}-\d{2}\.webm$/)

    const info = await probe(file)
    const video = info.streams.filter((s) => s.codec_type === 'video')
    const audio = info.streams.filter((s) => s.codec_type === 'audio')
    expect(video).toHaveLength(1)
    expect(audio).toHaveLength(1)
    expect(['vp9', 'vp8']).toContain(video[0]!.codec_name)
    expect(audio[0]!.codec_name).toBe('opus')
    expect(video[0]).toMatchObject({ width: 1280, height: 720 })
    expect(
      Math.abs(info.duration * 1000 - recordedMs),
      `file says ${info.duration * 1000} ms, the page recorded ${recordedMs} ms`,
    ).toBeLessThanOrEqual(1000)

    const decoded = await decodeAll(file)
    expect(decoded.errors).toBe('')
    expect(decoded.ok).toBe(true)
    const frames = await packetTimes(file, 'v')
    // The last frame sits at the end, not just the container's claim: media really spans the recorded time.
    expect(Math.abs(Math.max(...frames) * 1000 - recordedMs)).toBeLessThanOrEqual(1000)
    // Three oscillators and the fake microphone: clearly not silence (digital silence is about -91 dB).
    const volume = await meanVolume(file)
    expect(volume).toBeGreaterThan(-40)
    note(
      `recorded ${recordedMs} ms; ffprobe ${info.duration} s; ${await trackSpans(file)}; ${frames.length} video ` +
        `frames; ${(statSync(file).size / 1e6).toFixed(2)} MB; mean volume ${volume} dB`,
    )

    // The composition: three tiles where the grid puts them, each showing its participant (blue, orange and
    // green backgrounds), sampled in a corner the moving shapes and labels never reach.
    const rgb = await frameAt(file, 5)
    expect(rgb.length).toBe(1280 * 720 * 3)
    const dominant = gridLayout(3, 1280, 720).map((r) => {
      const x = Math.round(r.x + r.w * 0.95)
      const y = Math.round(r.y + r.h * 0.06)
      const at = (y * 1280 + x) * 3
      const [red, green, blue] = [rgb[at]!, rgb[at + 1]!, rgb[at + 2]!]
      return red > green && red > blue ? 'red' : green > blue ? 'green' : 'blue'
    })
    expect(dominant).toEqual(['blue', 'red', 'green'])

    // Finalised: Cues and a SeekHead are in the file (a scan finds nothing left to do).
    const scan = new WebmScanner()
    scan.push(readFileSync(file))
    expect(scan.cuesSpan).toBeDefined()
    expect(scan.reserves.seekHead).toBeDefined()
    expect(planFinalize(scan)).toBeNull()

    // The list plays it through the host's signed link; Chromium sees a finite duration and seeks.
    const entry = page.getByTestId('recording-entry').first()
    await expect(entry).toHaveAttribute('data-status', 'ready')
    await entry.getByRole('button', { name: 'Play' }).click()
    const player = page.getByTestId('recording-player')
    await expect(player).toBeVisible()
    const seek = await player.evaluate(async (el) => {
      // The spec is type-checked without the DOM library: describe the bit of HTMLVideoElement used here.
      const v = el as unknown as {
        readyState: number
        duration: number
        currentTime: number
        seekable: { length: number; end(i: number): number }
        addEventListener(type: string, listener: (e: unknown) => void, options: { once: boolean }): void
      }
      if (v.readyState < 1) await new Promise((r) => v.addEventListener('loadedmetadata', r, { once: true }))
      const duration = v.duration
      const target = Math.max(0, duration - 2.5)
      const seeked = new Promise((r) => v.addEventListener('seeked', r, { once: true }))
      v.currentTime = target
      await seeked
      return {
        duration,
        target,
        currentTime: v.currentTime,
        seekableEnd: v.seekable.length ? v.seekable.end(0) : 0,
      }
    })
    expect(Number.isFinite(seek.duration)).toBe(true)
    expect(Math.abs(seek.duration - info.duration)).toBeLessThan(0.5)
    expect(seek.seekableEnd).toBeGreaterThan(seek.duration - 0.5)
    expect(Math.abs(seek.currentTime - seek.target)).toBeLessThan(0.5)
    await page.screenshot({ path: `${SCREENSHOTS}/recording-saved.png`, fullPage: true })
  } finally {
    await host.stop()
    rmSync(host.dataDir, { recursive: true, force: true })
  }
})

test('a host killed mid-recording leaves a file that plays to within 2 s of the kill', async ({ page }) => {
  test.setTimeout(120_000)
  const host = await startDirectHost({ rendererDir: await buildHarness() })
  let restarted: DirectHost | undefined
  try {
    await openHarness(page, host)
    await startRecording(page)
    await expect
      .poll(() => elapsedMs(page), { timeout: 30_000, intervals: [250] })
      .toBeGreaterThanOrEqual(6_500)
    const atKillMs = await elapsedMs(page)
    await host.kill()

    const [file] = recordingFiles(host.dataDir)
    expect(file).toBeDefined()
    const decoded = await decodeAll(file!)
    expect(decoded.ok).toBe(true)
    const lastVideo = Math.max(...(await packetTimes(file!, 'v')))
    const lastAudio = Math.max(...(await packetTimes(file!, 'a')))
    expect(lastVideo * 1000).toBeGreaterThanOrEqual(atKillMs - 2000)
    expect(lastAudio * 1000).toBeGreaterThanOrEqual(atKillMs - 2000)
    expect(lastVideo * 1000).toBeLessThanOrEqual(atKillMs + 500)
    note(
      `killed at ${Math.round(atKillMs)} ms recorded; last video ${lastVideo} s, last audio ${lastAudio} s`,
    )

    // The page notices: the recorder stops and says the connection was lost.
    await expect(page.getByTestId('recording-saved')).toContainText('Lost the connection', {
      timeout: 15_000,
    })

    // Next launch repairs the file: duration and seek index added, nothing lost.
    restarted = await startDirectHost({ dataDir: host.dataDir, rendererDir: await buildHarness() })
    await openHarness(page, restarted)
    const entry = page.getByTestId('recording-entry').first()
    await expect(entry).toHaveAttribute('data-status', 'ready')
    const repaired = await probe(file!)
    expect(Math.abs(repaired.duration - lastVideo)).toBeLessThan(1)
    const after = Math.max(...(await packetTimes(file!, 'v')))
    expect(after).toBeCloseTo(lastVideo, 3)
  } finally {
    await restarted?.stop()
    await host.stop()
    rmSync(host.dataDir, { recursive: true, force: true })
  }
})

/*
 * Issue 8 in a real meeting (web mode, local backend, inside scripts/netns.sh): `server/serve.ts` hosts the SFU,
 * the room hub and Ada's app; Bob and Cy each run their own web host (their own "main process") joined to it.
 * Ada records from the meeting's Record control; the file lands in her host's data dir.
 */
test.describe('recording a real meeting', () => {
  let backend: HostProcess
  const guests: HostProcess[] = []
  const pages: Page[] = []

  test.beforeAll(async () => {
    backend = await startHostProcess({ script: 'server/serve.ts' })
    for (let i = 0; i < 2; i++) guests.push(await startHostProcess({ args: backend.joinArgs }))
  })
  // Each test's meeting leaves with it, so the next one runs on a quiet machine.
  test.afterEach(async () => {
    for (const page of pages.splice(0)) await page.context().close()
  })
  test.afterAll(async () => {
    await Promise.all([...guests.map((g) => g.stop()), backend?.stop()])
    for (const host of [backend, ...guests]) if (host) rmSync(host.dataDir, { recursive: true, force: true })
  })

  async function openRecordPanel(page: Page): Promise<void> {
    const control = page.getByRole('button', { name: 'Record', exact: true })
    await control.focus()
    await page.keyboard.press('Enter')
    await expect(page.getByRole('dialog', { name: 'Recording' })).toBeVisible()
  }

  async function startMeeting(browser: Browser): Promise<[Page, Page, Page]> {
    const room = newRoomCode()
    const ada = await joinMeeting(browser, backend, 'Ada', room)
    const bob = await joinMeeting(browser, guests[0]!, 'Bob', room)
    const cy = await joinMeeting(browser, guests[1]!, 'Cy', room)
    // Everyone's video decodes on Ada's screen before she records, so the recording shows three live tiles.
    for (const name of ['Bob', 'Cy'])
      await expect.poll(() => framesOf(ada, name), { timeout: 30_000 }).toBeGreaterThan(0)
    pages.push(ada, bob, cy)
    return [ada, bob, cy]
  }

  test('the host records 10 s of a 3-person meeting; the others see who records', async ({ browser }) => {
    test.setTimeout(180_000)
    const [ada, bob, cy] = await startMeeting(browser)

    await openRecordPanel(ada)
    await ada.getByRole('button', { name: 'Record meeting' }).click()
    await expect(ada.getByTestId('recording-elapsed')).toBeVisible({ timeout: 15_000 })
    for (const page of [bob, cy]) {
      await expect(page.getByTestId('room-recording')).toContainText('Recording by Ada')
      await expect(page.getByTestId('recording-notice')).toContainText('Ada is recording this meeting')
    }
    await expect(ada.getByTestId('recording-notice')).toContainText('You are recording this meeting')
    await ada.screenshot({ path: `${SCREENSHOTS}/meeting-recording-host.png` })
    await bob.screenshot({ path: `${SCREENSHOTS}/meeting-recording-guest.png` })

    const elapsed = ada.getByTestId('recording-elapsed')
    await expect
      .poll(async () => Number(await elapsed.getAttribute('data-elapsed-ms')), {
        timeout: 30_000,
        intervals: [250],
      })
      .toBeGreaterThanOrEqual(RECORD_MS)
    await ada.getByRole('button', { name: 'Stop recording' }).click()
    const saved = ada.getByTestId('recording-saved')
    await expect(saved).toContainText('Saved', { timeout: 30_000 })
    const recordedMs = Number(await saved.getAttribute('data-elapsed-ms'))
    for (const page of [bob, cy]) await expect(page.getByTestId('room-recording')).toBeHidden()

    const files = recordingFiles(backend.dataDir)
    expect(files).toHaveLength(1)
    const file = files[0]!
    const info = await probe(file)
    expect(info.streams.filter((s) => s.codec_type === 'video')).toHaveLength(1)
    expect(info.streams.filter((s) => s.codec_type === 'audio')).toHaveLength(1)
    expect(info.streams.find((s) => s.codec_type === 'video')).toMatchObject({ width: 1280, height: 720 })
    expect(
      Math.abs(info.duration * 1000 - recordedMs),
      `file says ${info.duration * 1000} ms, the page recorded ${recordedMs} ms`,
    ).toBeLessThanOrEqual(1000)
    const decoded = await decodeAll(file)
    expect(decoded.ok).toBe(true)
    // The composition moves: the participants' cameras were live in it, not a still first frame.
    const [early, late] = [await frameAt(file, 3), await frameAt(file, 8)]
    expect(early.length).toBe(1280 * 720 * 3)
    let changed = 0
    for (let i = 0; i < early.length; i += 3) if (Math.abs(early[i]! - late[i]!) > 24) changed++
    expect(changed / (1280 * 720)).toBeGreaterThan(0.005)
    // People talk in it: the three fake microphones' beeps are not silence.
    expect(await meanVolume(file)).toBeGreaterThan(-60)
    await expect(ada.getByTestId('recording-entry').first()).toHaveAttribute('data-status', 'ready')
    note(
      `meeting: recorded ${recordedMs} ms; ffprobe ${info.duration} s; ${await trackSpans(file)}; ` +
        `${Math.round(changed / 9216)}% pixels moved`,
    )
  })

  test('the host forbids others to record: a running guest recording stops and is kept; no new one starts', async ({
    browser,
  }) => {
    test.setTimeout(180_000)
    const [ada, bob] = await startMeeting(browser)
    await openRecordPanel(bob)
    await bob.getByRole('button', { name: 'Record meeting' }).click()
    await expect(bob.getByTestId('recording-elapsed')).toBeVisible({ timeout: 15_000 })
    await expect(ada.getByTestId('room-recording')).toContainText('Recording by Bob')
    await expect
      .poll(async () => Number(await bob.getByTestId('recording-elapsed').getAttribute('data-elapsed-ms')), {
        timeout: 30_000,
      })
      .toBeGreaterThanOrEqual(3000)

    await openRecordPanel(ada)
    const allow = ada.getByLabel('Let participants record this meeting')
    await expect(allow).toBeChecked()
    // A controlled switch: it shows the room's flag once the room has it.
    await allow.click()
    await expect(allow).not.toBeChecked()

    // Bob's recording stops at the host's order, and what he recorded is saved.
    await expect(bob.getByTestId('recording-saved')).toContainText('no longer lets participants record', {
      timeout: 20_000,
    })
    await expect(bob.getByTestId('recording-saved')).toContainText('Saved')
    await expect(ada.getByTestId('room-recording')).toBeHidden()
    const [file] = recordingFiles(guests[0]!.dataDir)
    expect(file).toBeDefined()
    expect((await probe(file!)).duration).toBeGreaterThan(2.5)

    // And he cannot start another: the control says why.
    const start = bob.getByRole('button', { name: 'Record meeting' })
    await expect(start).toBeDisabled()
    await expect(bob.getByRole('dialog', { name: 'Recording' })).toContainText(
      'The host does not allow participants to record this meeting.',
    )
    await bob.screenshot({ path: `${SCREENSHOTS}/meeting-recording-forbidden.png` })
    await bob.keyboard.press('Escape')
    await expect(bob.getByRole('dialog', { name: 'Recording' })).toBeHidden()
    await expect(bob.getByRole('button', { name: 'Record', exact: true })).toBeFocused()
    await expect(bob.getByRole('button', { name: 'Record', exact: true })).toHaveAttribute(
      'title',
      'The host does not allow participants to record this meeting.',
    )
  })
})
