import { mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { expect, test, type Page } from '@playwright/test'
import { planFinalize } from '../../electron/main/recording/webmLayout'
import { WebmScanner } from '../../electron/main/recording/WebmScanner'
import { startDirectHost, type DirectHost } from '../helpers/directHostProcess'
import { gridLayout } from '../../renderer/src/recording/layout'
import { decodeAll, frameAt, meanVolume, packetTimes, probe } from '../helpers/mediaProbe'
import { buildHarness, openHarness } from '../helpers/recordingHarness'

const SCREENSHOTS = 'test-results/screenshots'
const RECORD_MS = 10_000

test.beforeAll(() => mkdirSync(SCREENSHOTS, { recursive: true }))

/** Measured values, kept in the test report (test-results/e2e.json). */
function note(description: string): void {
  test.info().annotations.push({ type: 'measured', description })
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

// One retry: on a loaded 2-core box the file's duration has once come out 1,007 ms off the page's clock (it is
// usually 150-250 ms). Issue 8 keeps this open until the cause (first or last chunk timing) is found.
test.describe.configure({ retries: 1 })

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
      `recorded ${recordedMs} ms; ffprobe ${info.duration} s; ${frames.length} video frames; ` +
        `${(statSync(file).size / 1e6).toFixed(2)} MB; mean volume ${volume} dB`,
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
