import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, test, type Browser, type Page } from '@playwright/test'
import { newRoomCode } from '../../shared/util/roomCode'
import { connectHostRpc, type HostRpc } from '../helpers/hostRpc'
import { probe } from '../helpers/mediaProbe'
import { startOpenAiStub, type ChatRequestBody, type OpenAiStub } from '../helpers/openaiStub/OpenAiStub'
import { startHostProcess, type HostProcess } from '../helpers/webHostProcess'

/*
 * Issue 9 in a real meeting, web mode on the local backend (inside scripts/netns.sh): Ada (on the backend's own
 * host, with the OpenAI key pointed at the local stub) turns live captions on; Bob and Cy are told. Bob's fake
 * microphone is recorded from the REMOTE track Ada's engine pulled, transcribed by the stub (deterministic text
 * per request), and shown over Ada's stage with Bob's name. Ada is muted, so her own segments are silent and the
 * level gate keeps them from the server. Then the summary is built from the meeting's chat and captions.
 */
const SHOTS = 'test-results/screenshots'
const KEY = 'sk-e2e-MeetingCaptions-8c1e5a3f9d7b2046e1c3'
const CHAT = 'Let us ship the beta on Friday.'

let stub: OpenAiStub
let backend: HostProcess
const guests: HostProcess[] = []
let rpc: HostRpc
const frames: string[] = []
const pages: Page[] = []

test.describe.configure({ mode: 'serial' })
test.setTimeout(180_000)

test.beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true })
  stub = await startOpenAiStub({ expectedKey: KEY })
  // The same request always gives the same text: its number and size, so a caption leads back to its audio.
  stub.transcriptionDefault = (t) => ({ kind: 'text', text: `Caption marker ${t.index} (${t.bytes} bytes)` })
  backend = await startHostProcess({ script: 'server/serve.ts' })
  for (let i = 0; i < 2; i++) guests.push(await startHostProcess({ args: backend.joinArgs }))
  rpc = await connectHostRpc(backend)
  // Server first, then the key: the key is bound to the AI server it is saved for.
  expect((await rpc.call('settings:update', { patch: { ai: { baseUrl: stub.baseURL } } })).ok).toBe(true)
  expect((await rpc.call('vault:setSecret', { name: 'openaiApiKey', value: KEY })).ok).toBe(true)
})
test.afterAll(async () => {
  rpc?.close()
  await Promise.all([...guests.map((g) => g.stop()), backend?.stop()])
  await stub?.close()
})

/** `joinMeeting` with the page's socket traffic recorded from the first frame (for the key leak check). */
async function joinAs(browser: Browser, host: HostProcess, name: string, room: string): Promise<Page> {
  const page = await (await browser.newContext()).newPage()
  pages.push(page)
  page.on('websocket', (ws) => {
    ws.on('framesent', (f) => frames.push(String(f.payload)))
    ws.on('framereceived', (f) => frames.push(String(f.payload)))
  })
  await page.goto(host.url)
  await page.getByLabel('Your name').fill(name)
  await page.getByLabel('Your name').blur()
  await expect(page.getByLabel('Your name')).toHaveValue(name)
  await page.goto(`${host.origin}/#/room/${room}`)
  await expect(page.getByRole('button', { name: 'Join' })).toBeEnabled()
  await page.getByRole('button', { name: 'Join' }).click()
  await expect(page.getByTestId('meeting')).toBeVisible()
  return page
}

test('captions of a remote participant with speaker names; a summary from chat and captions', async ({
  browser,
}) => {
  const room = newRoomCode()
  const ada = await joinAs(browser, backend, 'Ada', room)
  const bob = await joinAs(browser, guests[0]!, 'Bob', room)
  const cy = await joinAs(browser, guests[1]!, 'Cy', room)

  // Bob's audio reaches Ada before captions start.
  await expect
    .poll(
      async () =>
        (
          await ada
            .getByTestId('remote-audio')
            .evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-packets'))))
        ).filter((n) => n > 0).length,
      { timeout: 30_000 },
    )
    .toBe(2)
  // Cy mutes too, so every caption must be Bob's: Ada's and Cy's segments are silence.
  await ada.getByRole('button', { name: 'Mute' }).click()
  await cy.getByRole('button', { name: 'Mute' }).click()

  // Bob writes in the chat.
  await bob.getByRole('button', { name: /^Chat/ }).click()
  await bob.getByLabel('Message everyone').fill(CHAT)
  await bob.getByRole('button', { name: 'Send' }).click()
  await expect(bob.getByTestId('chat-line').filter({ hasText: CHAT })).toHaveCount(1)

  // Ada turns captions on: everyone is told.
  const toggle = ada.getByRole('button', { name: 'Live captions' })
  await toggle.focus()
  await ada.keyboard.press('Enter')
  await expect(toggle).toHaveAttribute('aria-pressed', 'true')
  for (const page of [ada, bob, cy])
    await expect(page.getByTestId('room-captions')).toHaveText('Captions on by Ada')
  await expect(bob.locator('.toast').filter({ hasText: 'Ada turned on live captions' })).toBeVisible()

  // Bob's remote audio becomes captions with his name, from real audio files.
  const line = ada.getByTestId('caption-line').filter({ hasText: 'Caption marker' }).first()
  await expect(line).toBeVisible({ timeout: 30_000 })
  await expect(line).toHaveAttribute('data-speaker', 'Bob')
  await expect(ada.getByTestId('live-captions')).toHaveAttribute('aria-label', 'Live captions')
  expect(await ada.getByTestId('live-captions').locator('[aria-live="polite"]').count()).toBe(1)
  const marker = /Caption marker (\d+) \((\d+) bytes\)/.exec((await line.textContent()) ?? '')
  expect(marker).not.toBeNull()
  const upload = stub.transcriptions[Number(marker![1]) - 1]!
  expect(upload.bytes).toBe(Number(marker![2]))
  expect(['webm', 'ogg']).toContain(upload.container)
  expect(upload.bytes).toBeGreaterThan(1000)
  expect(upload.authorization).toBe(`Bearer ${KEY}`)
  // Each chunk is a file of its own: ffprobe reads it alone as Opus audio of about one segment.
  const file = join(tmpdir(), `convene-caption-${upload.index}.${upload.container}`)
  writeFileSync(file, upload.audio)
  const probed = await probe(file)
  expect(probed.streams.map((s) => `${s.codec_type}/${s.codec_name}`)).toEqual(['audio/opus'])

  // Main's transcript has only Bob, with times: muted participants' silence never reached the server.
  const transcript = (await rpc.call('ai:getTranscript', { limit: 200 })) as {
    ok: boolean
    value: { entries: Array<{ speaker: string; text: string; startMs: number; endMs: number }> }
  }
  expect(transcript.ok).toBe(true)
  const entries = transcript.value.entries
  expect(entries.length).toBeGreaterThan(0)
  expect(new Set(entries.map((e) => e.speaker))).toEqual(new Set(['Bob']))
  for (const e of entries) expect(e.endMs - e.startMs).toBeGreaterThan(3000)
  test.info().annotations.push({
    type: 'captions',
    description: `${entries.length} entries; uploads (bytes, container): ${stub.transcriptions
      .map((t) => `${t.bytes} ${t.container}`)
      .join(', ')}`,
  })
  const sorted = [...entries].sort((a, b) => a.startMs - b.startMs)
  expect(entries).toEqual(sorted)

  // The assistant: Ada turns it on (everyone is told) and asks for the summary.
  await ada.getByRole('button', { name: 'Assistant', exact: true }).click()
  await ada.getByRole('button', { name: 'Turn assistant on' }).click()
  for (const page of [bob, cy])
    await expect(page.getByTestId('room-assistant')).toHaveText('AI assistant on by Ada')
  const heard = entries.at(-1)!.text
  stub.enqueue({
    kind: 'respond',
    build: (body: ChatRequestBody) => {
      const context = body.messages.map((m) => m.content).join('\n')
      const decision = new RegExp(`\\] Bob: (${CHAT.replace(/\./g, '\\.')})`).exec(context)?.[1] ?? 'None'
      const spoken = /\] Bob: (Caption marker [^\n]+)/.exec(context)?.[1] ?? 'None'
      return {
        kind: 'text',
        tokens: [
          '## Summary\n- Beta release planning\n',
          `## Decisions\n- ${decision}\n`,
          `## Action items\n- [ ] Bob — follow up on "${spoken}"\n`,
          '## Open questions\n- None\n',
        ],
      }
    },
  })
  const chatsBefore = stub.chats.length
  await ada.getByRole('button', { name: 'Summarize meeting' }).click()
  await expect(ada.getByTestId('ai-summary')).toContainText('1 decision, 1 action item.')
  const prompt = stub.chats[chatsBefore]!.body.messages.map((m) => m.content).join('\n')
  expect(prompt).toContain(`Bob: ${CHAT}`)
  expect(prompt).toMatch(/Transcript:\n(.*\n)*.*\] Bob: Caption marker \d+/)
  expect(prompt).toContain(`Bob: ${heard}`)
  const answer = ada.getByTestId('ai-answer').last()
  await expect(answer).toContainText(CHAT)
  await expect(answer).toContainText('Caption marker')
  await ada.screenshot({ path: `${SHOTS}/meeting-captions-assistant.png` })
  await ada.getByTestId('ai-summary').scrollIntoViewIfNeeded()
  await ada.screenshot({ path: `${SHOTS}/meeting-summary.png` })

  // Off again: the others are told; leaving turns everything off.
  await toggle.click()
  await expect(toggle).toHaveAttribute('aria-pressed', 'false')
  await expect(bob.getByTestId('room-captions')).toHaveCount(0)
  await ada.getByRole('button', { name: 'Leave' }).click()
  await expect(bob.getByTestId('room-assistant')).toHaveCount(0)

  // The key never reached a page, its socket traffic, the logs or any file in clear.
  const leaks = (text: string): boolean => text.includes(KEY)
  expect(frames.length).toBeGreaterThan(50)
  for (const page of pages) expect(leaks(await page.content()), 'DOM').toBe(false)
  expect(frames.filter(leaks), 'IPC frames').toEqual([])
  for (const host of [backend, ...guests]) {
    expect(leaks(host.output()), 'host output').toBe(false)
    for (const path of walk(host.dataDir)) expect(leaks(readFileSync(path, 'utf8')), path).toBe(false)
  }
  expect(readFileSync(join(backend.dataDir, 'convene.log'), 'utf8')).toContain('captions on')
})

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    return statSync(path).isDirectory() ? walk(path) : [path]
  })
}
