import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, sep } from 'node:path'
import AxeBuilder from '@axe-core/playwright'
import { expect, test, type Page } from '@playwright/test'
import { connectHostRpc, type HostRpc } from '../helpers/hostRpc'
import {
  createGate,
  startOpenAiStub,
  type ChatRequestBody,
  type OpenAiStub,
} from '../helpers/openaiStub/OpenAiStub'
import { sineWav } from '../helpers/openaiStub/wav'
import { startHostProcess, type HostProcess } from '../helpers/webHostProcess'

/** Exists only here and in the stub. It must never reach the page, its socket traffic or the logs. */
const KEY = 'sk-e2e-ConveneAssistant-4b7d1f9a2c6e8b0d13579'
const ROOM = 'abc-defg-hjk'

let stub: OpenAiStub
let host: HostProcess
let rpc: HostRpc
/** Every frame every page sent or received on the web-mode socket: the IPC traffic in web mode. */
const frames: string[] = []
const pageTexts: string[] = []

test.beforeAll(async () => {
  stub = await startOpenAiStub({ expectedKey: KEY })
  host = await startHostProcess()
  // The key goes into the vault from outside the page, so not even the page's outgoing frames carry it. The server
  // first: a key is bound to the AI server in effect when it is saved (the page then saves the same URL again).
  rpc = await connectHostRpc(host)
  const pointed = await rpc.call('settings:update', { patch: { ai: { baseUrl: stub.baseURL } } })
  expect(pointed.ok).toBe(true)
  const stored = await rpc.call('vault:setSecret', { name: 'openaiApiKey', value: KEY })
  expect(stored.ok).toBe(true)
})
test.afterAll(async () => {
  rpc.close()
  await host.stop()
  await stub.close()
})

test.beforeEach(async () => {
  await rpc.call('ai:setEnabled', { assistant: false, captions: false })
})
test.afterEach(async ({ page }) => {
  pageTexts.push(await page.content())
})

/** Point the assistant at the stub through Settings, then open the room page and turn the assistant on. */
async function openAssistant(page: Page): Promise<void> {
  page.on('websocket', (ws) => {
    ws.on('framesent', (f) => frames.push(String(f.payload)))
    ws.on('framereceived', (f) => frames.push(String(f.payload)))
  })
  await page.goto(host.url)
  await page.getByRole('link', { name: 'Settings' }).click()
  await expect(page.getByTestId('openaiApiKey-status')).toHaveText(`Configured (…${KEY.slice(-4)})`)
  await page.getByLabel('AI server URL').fill(stub.baseURL)
  await page.getByRole('button', { name: 'Save AI settings' }).click()
  await expect(page.getByText('AI settings saved.')).toBeVisible()
  await page.goto(`${host.origin}/#/room/${ROOM}`)
  await expect(page.getByTestId('room-code')).toHaveText(ROOM)
  await page.getByRole('button', { name: 'Turn assistant on' }).click()
  await expect(page.getByTestId('ai-announced')).toContainText('Everyone in the meeting is told')
}

async function askQuestion(page: Page, question: string): Promise<void> {
  await page.getByLabel('Ask about the meeting').fill(question)
  await page.getByRole('button', { name: 'Ask', exact: true }).click()
}

/** The meeting page still works: the panel answers the next question. */
async function stillWorks(page: Page): Promise<void> {
  stub.enqueue({ kind: 'text', tokens: ['Still ', 'here.'] })
  await askQuestion(page, 'Are you still there?')
  await expect(page.getByTestId('ai-answer').last()).toHaveText('Still here.')
  await expect(page.getByTestId('room-code')).toHaveText(ROOM)
}

test('a streamed answer appears token by token', async ({ page }) => {
  await openAssistant(page)
  const gate = createGate()
  stub.enqueue({ kind: 'text', tokens: ['The team ', 'agreed to ', 'ship on Friday.'], gate })
  await askQuestion(page, 'When do we ship?')
  const answer = page.getByTestId('ai-answer').last()
  await expect(page.getByTestId('ai-notice').last()).toHaveText('Waiting for the AI server…')
  await expect(answer).toHaveText('')

  gate.release()
  await expect(answer).toHaveText(/^The team\s*$/)
  await expect(page.getByRole('button', { name: 'Stop' })).toBeVisible()
  gate.release()
  await expect(answer).toHaveText(/^The team agreed to\s*$/)
  gate.release()
  await expect(answer).toHaveText('The team agreed to ship on Friday.')
  await expect(page.getByRole('button', { name: 'Stop' })).toHaveCount(0)

  const sent = stub.chats.at(-1)!
  expect(sent.authorization).toBe(`Bearer ${KEY}`)
  expect(sent.body.messages.at(-1)).toEqual({ role: 'user', content: 'When do we ship?' })
})

test('a summary is built from chat and captions, saved as Markdown and posted to chat', async ({ page }) => {
  await openAssistant(page)
  await page.getByRole('button', { name: 'Captions on' }).click()
  await expect(page.getByTestId('ai-announced')).toContainText('The assistant and captions are on.')

  // Captions: a real WAV chunk attributed to Grace's microphone track, through ai:transcribeChunk.
  stub.enqueueTranscription({ kind: 'text', text: 'I will send the budget by Monday.' })
  const startedAt = Date.now()
  const caption = await rpc.call('ai:transcribeChunk', {
    participantId: 'p-grace',
    speaker: 'Grace',
    trackId: 'mic-grace',
    startedAt,
    durationMs: 1500,
    mime: 'audio/wav',
    audio: sineWav({ seconds: 1.5 }).toString('base64'),
  })
  expect(caption.ok).toBe(true)
  expect(stub.transcriptions.at(-1)).toMatchObject({ mime: 'audio/wav', wav: { durationMs: 1500 } })
  await expect(page.getByTestId('ai-captions')).toContainText('Grace')
  await expect(page.getByTestId('ai-captions')).toContainText('I will send the budget by Monday.')

  // Chat: the assistant proposes a message; nothing is posted until the user confirms.
  stub.enqueue({
    kind: 'toolCall',
    name: 'post_to_chat',
    args: JSON.stringify({ text: 'Decision: we ship on Friday.' }),
    text: ['I can post that for you.'],
  })
  await askQuestion(page, 'Post our decision to the chat')
  const card = page.getByTestId('ai-action')
  await expect(card).toContainText('Post a message to the meeting chat')
  await expect(card).toContainText('Decision: we ship on Friday.')
  await expect(page.getByTestId('ai-context')).toContainText('0 chat messages')
  await card.getByRole('button', { name: 'Confirm' }).click()
  await expect(page.getByTestId('ai-action-outcome')).toHaveText('Posted to the meeting chat.')
  await expect(page.getByTestId('ai-context')).toContainText('1 chat message ·')
  await expect(page.getByTestId('ai-context')).toContainText('1 caption line')

  // The stub writes the summary only from what the prompt really contained.
  stub.enqueue({
    kind: 'respond',
    build: (body: ChatRequestBody) => {
      const context = body.messages.map((m) => m.content).join('\n')
      const decision = /: Decision: ([^\n]+)/.exec(context)?.[1] ?? 'None'
      const action = /\] Grace: ([^\n]+)/.exec(context)?.[1] ?? 'None'
      return {
        kind: 'text',
        tokens: [
          '## Summary\n- Release planning\n',
          `## Decisions\n- ${decision}\n`,
          `## Action items\n- [ ] Grace — ${action}\n`,
          '## Open questions\n- None\n',
        ],
      }
    },
  })
  await page.getByRole('button', { name: 'Summarize meeting' }).click()
  const path = page.getByTestId('ai-summary-path')
  await expect(path).toBeVisible()
  await expect(page.getByTestId('ai-answer').last()).toContainText('## Decisions')
  const file = (await path.textContent())!
  expect(file.startsWith(join(host.dataDir, 'meetings') + sep)).toBe(true)
  const markdown = readFileSync(file, 'utf8')
  expect(markdown).toContain('## Decisions\n\n- we ship on Friday.')
  expect(markdown).toContain('- [ ] **Grace**: I will send the budget by Monday.')
  await expect(page.getByTestId('ai-summary')).toContainText('1 decision, 1 action item.')

  await page.getByRole('button', { name: 'Post summary to chat' }).click()
  await expect(page.getByTestId('ai-summary')).toContainText('Posted to the meeting chat.')
  await expect(page.getByTestId('ai-context')).toContainText('2 chat messages')
  await page.screenshot({ path: 'test-results/screenshots/assistant.png', fullPage: true })

  const results = await new AxeBuilder({ page }).include('.assistant').analyze()
  const serious = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
  expect(serious.map((v) => `${v.id}: ${v.help}`)).toEqual([])
})

test('401: the panel says the key was rejected, and the app goes on', async ({ page }) => {
  await openAssistant(page)
  stub.enqueue({ kind: 'status', status: 401, message: `Incorrect API key provided: ${KEY}` })
  await askQuestion(page, 'Hello?')
  await expect(page.getByTestId('ai-error').last()).toContainText('rejected the API key (HTTP 401)')
  await expect(page.getByTestId('ai-error').last()).toContainText('Settings → AI assistant')
  await stillWorks(page)
})

test('429 with Retry-After: the panel shows the wait, retries when told, then answers', async ({ page }) => {
  await openAssistant(page)
  const gate = createGate()
  const before = stub.chats.length
  stub.enqueue(
    { kind: 'status', status: 429, headers: { 'retry-after': '3' } },
    { kind: 'text', tokens: ['Thanks for waiting.'], gate },
  )
  await askQuestion(page, 'Busy?')
  await expect(page.getByTestId('ai-notice').last()).toContainText('(HTTP 429). Retrying in 3 s')
  await expect.poll(() => stub.chats.length).toBe(before + 2)
  // The retry came no earlier than the server asked (a lower bound, not a speed check).
  expect(stub.chats[before + 1]!.receivedAt - stub.chats[before]!.receivedAt).toBeGreaterThanOrEqual(2900)
  gate.release()
  await expect(page.getByTestId('ai-answer').last()).toHaveText('Thanks for waiting.')
  await stillWorks(page)
})

test('a stream cut mid-answer: the partial answer stays and the panel says it was cut', async ({ page }) => {
  await openAssistant(page)
  stub.enqueue({ kind: 'cut', tokens: ['We decided ', 'to ship '] })
  await askQuestion(page, 'What did we decide?')
  await expect(page.getByTestId('ai-error').last()).toContainText('The answer was cut off')
  await expect(page.getByTestId('ai-answer').last()).toHaveText(/^We decided to ship\s*$/)
  await stillWorks(page)
})

test('a slow server: the panel says so, Stop ends the wait, and the app goes on', async ({ page }) => {
  await openAssistant(page)
  const before = stub.chats.length
  stub.enqueue({ kind: 'hang', headers: true })
  await askQuestion(page, 'Anyone there?')
  await expect(page.getByTestId('ai-notice').last()).toContainText('The AI server is slow to answer', {
    timeout: 15_000,
  })
  await page.getByRole('button', { name: 'Stop' }).click()
  await expect(page.getByText('Stopped.')).toBeVisible()
  await expect.poll(() => stub.chats[before]!.clientClosed).toBe(true)
  await stillWorks(page)
})

test('the key never reaches the page, its socket traffic, the log or any file in clear', async () => {
  expect(frames.length).toBeGreaterThan(50)
  expect(pageTexts.length).toBeGreaterThan(3)
  const leaks = (text: string): boolean => text.includes(KEY)
  expect(pageTexts.filter(leaks), 'DOM').toEqual([])
  expect(frames.filter(leaks), 'IPC frames').toEqual([])
  const log = readFileSync(join(host.dataDir, 'convene.log'), 'utf8')
  expect(log.length).toBeGreaterThan(0)
  expect(leaks(log), 'log file').toBe(false)
  expect(leaks(host.output()), 'host output').toBe(false)
  for (const file of walk(host.dataDir)) expect(leaks(readFileSync(file, 'utf8')), file).toBe(false)
  // The stub did receive it: the checks above are looking at a key that was really used.
  expect(stub.chats.some((c) => c.authorization === `Bearer ${KEY}`)).toBe(true)
})

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    return statSync(path).isDirectory() ? walk(path) : [path]
  })
}
