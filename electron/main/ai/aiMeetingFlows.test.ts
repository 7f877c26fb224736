import { readFileSync, writeFileSync } from 'node:fs'
import { join, sep } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { aiKit, everythingVisible, rid, TEST_KEY, type AiKit } from '../../../test/helpers/openaiStub/aiKit'
import { tempDir } from '../../../test/helpers/services'
import type { ChatRequestBody } from '../../../test/helpers/openaiStub/OpenAiStub'
import { sineWav } from '../../../test/helpers/openaiStub/wav'
import { AI_LIMITS, type TranscribeChunk } from '../../../shared/ai/schemas'

let kit: AiKit
afterEach(async () => {
  await kit?.close()
})

const T0 = Date.parse('2026-03-04T10:00:00Z')
const chunk = (over: Partial<TranscribeChunk> = {}): TranscribeChunk => ({
  participantId: 'p-grace',
  speaker: 'Grace',
  trackId: 'mic-grace',
  startedAt: T0,
  durationMs: 1000,
  mime: 'audio/wav',
  audio: sineWav({ seconds: 1 }).toString('base64'),
  ...over,
})

describe('tool calls wait for the user', () => {
  it('a proposed chat message is not posted until confirmed', async () => {
    kit = await aiKit()
    kit.stub.enqueue({
      kind: 'toolCall',
      name: 'post_to_chat',
      args: JSON.stringify({ text: 'Decision: we ship on Friday.' }),
      text: ['I can post that.'],
    })
    const requestId = rid()
    await kit.call('ai:ask', { requestId, kind: 'ask', question: 'Post our decision to the chat' })
    expect(await kit.end(requestId)).toMatchObject({ channel: 'ai:done', payload: { finish: 'tool_calls' } })
    const state = kit.services.ai.state()
    expect(state.pendingActions).toEqual([
      expect.objectContaining({
        requestId,
        tool: 'post_to_chat',
        title: 'Post a message to the meeting chat',
        detail: 'Decision: we ship on Friday.',
      }),
    ])
    expect(kit.meeting.snapshot().chat).toEqual([])

    const actionId = state.pendingActions[0]!.id
    const done = await kit.call('ai:resolveAction', { actionId, decision: 'confirm' })
    expect(done).toEqual({ ok: true, value: { outcome: 'done', message: 'Posted to the meeting chat.' } })
    expect(kit.meeting.snapshot().chat.map((m) => m.text)).toEqual(['Decision: we ship on Friday.'])
    expect(kit.services.ai.state().pendingActions).toEqual([])
    // Once resolved, it cannot run again.
    expect(await kit.call('ai:resolveAction', { actionId, decision: 'confirm' })).toMatchObject({
      ok: false,
      error: { code: 'not_found' },
    })
    expect(kit.meeting.snapshot().chat).toHaveLength(1)
  })

  it('dismissing runs nothing; a failing tool reports its own message', async () => {
    kit = await aiKit()
    kit.stub.enqueue(
      { kind: 'toolCall', name: 'post_to_chat', args: '{"text":"nope"}' },
      { kind: 'toolCall', name: 'start_recording', args: '{}' },
    )
    for (let i = 0; i < 2; i++) {
      const requestId = rid()
      await kit.call('ai:ask', { requestId, kind: 'ask', question: 'Do it' })
      await kit.end(requestId)
    }
    const [post, record] = kit.services.ai.state().pendingActions
    expect(await kit.call('ai:resolveAction', { actionId: post!.id, decision: 'dismiss' })).toEqual({
      ok: true,
      value: { outcome: 'dismissed', message: 'Dismissed.' },
    })
    expect(kit.meeting.snapshot().chat).toEqual([])
    const failed = await kit.call('ai:resolveAction', { actionId: record!.id, decision: 'confirm' })
    expect(failed).toMatchObject({
      ok: false,
      error: { code: 'invalid_request', message: /Join a meeting to record it/ },
    })
  })

  it('ignores tools it does not know and arguments that do not fit', async () => {
    kit = await aiKit()
    kit.stub.enqueue(
      { kind: 'toolCall', name: 'delete_meeting', args: '{}' },
      { kind: 'toolCall', name: 'post_to_chat', args: '{"text": 42}' },
    )
    for (let i = 0; i < 2; i++) {
      const requestId = rid()
      await kit.call('ai:ask', { requestId, kind: 'ask', question: 'Go' })
      expect(await kit.end(requestId)).toMatchObject({ channel: 'ai:done', payload: { ignoredToolCalls: 1 } })
    }
    expect(kit.services.ai.state().pendingActions).toEqual([])
  })
})

describe('captions', () => {
  it('refuses audio while captions are off', async () => {
    kit = await aiKit()
    expect(await kit.call('ai:transcribeChunk', chunk())).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    })
    expect(kit.stub.transcriptions).toEqual([])
  })

  it('turns a WAV chunk into a transcript entry with speaker and times', async () => {
    kit = await aiKit()
    await kit.call('ai:setEnabled', { captions: true })
    kit.stub.enqueueTranscription(
      { kind: 'text', text: '  We need the budget\n by Monday. ' },
      { kind: 'text', text: '' },
    )
    const result = await kit.call('ai:transcribeChunk', chunk())
    const entry = {
      id: `p-grace:mic-grace:${T0}`,
      participantId: 'p-grace',
      speaker: 'Grace',
      trackId: 'mic-grace',
      startMs: T0,
      endMs: T0 + 1000,
      text: 'We need the budget by Monday.',
    }
    expect(result).toEqual({ ok: true, value: { entry } })
    expect(kit.of('ai:caption')).toEqual([entry])
    expect(kit.stub.transcriptions[0]).toMatchObject({
      authorization: `Bearer ${TEST_KEY}`,
      model: 'whisper-1',
      mime: 'audio/wav',
      wav: { sampleRate: 16_000, channels: 1, durationMs: 1000 },
    })
    // Silence: no entry.
    expect(await kit.call('ai:transcribeChunk', chunk({ startedAt: T0 + 1000 }))).toEqual({
      ok: true,
      value: { entry: null },
    })
    expect(await kit.call('ai:getTranscript', { limit: 10 })).toEqual({
      ok: true,
      value: { entries: [entry] },
    })
    expect(kit.services.ai.state().context.transcriptEntries).toBe(1)
  })

  it('rejects payloads that are not bounded base64 audio before any work', async () => {
    kit = await aiKit()
    await kit.call('ai:setEnabled', { captions: true })
    for (const bad of [
      chunk({ audio: 'not base64 at all!' }),
      chunk({ audio: 'A'.repeat(AI_LIMITS.audioBase64Chars + 4) }),
      { ...chunk(), speaker: 'Eve\u0007' },
      { ...chunk(), extra: true },
    ]) {
      expect(await kit.call('ai:transcribeChunk', bad as TranscribeChunk)).toMatchObject({
        ok: false,
        error: { code: 'invalid_request' },
      })
    }
    // Declared as WAV but is not one.
    const fake = await kit.call(
      'ai:transcribeChunk',
      chunk({ audio: Buffer.from('definitely not audio').toString('base64') }),
    )
    expect(fake).toMatchObject({ ok: false, error: { code: 'invalid_request', message: /not a WAV/ } })
    expect(kit.stub.transcriptions).toEqual([])
  })

  it('reports a rejected key as a typed error', async () => {
    kit = await aiKit()
    await kit.call('ai:setEnabled', { captions: true })
    kit.stub.expectedKey = 'sk-some-other-key-000000'
    const result = await kit.call('ai:transcribeChunk', chunk())
    expect(result).toMatchObject({
      ok: false,
      error: { code: 'unauthorized', message: /rejected the API key/ },
    })
    expect(everythingVisible(kit)).not.toContain(TEST_KEY)
  })
})

describe('end-of-meeting summary', () => {
  it('is built from chat and captions, saved as Markdown beside the meeting files, and can be posted', async () => {
    kit = await aiKit()
    await kit.call('ai:setEnabled', { captions: true })
    kit.stub.enqueueTranscription({ kind: 'text', text: 'I will send the budget by Monday.' })
    await kit.call('ai:transcribeChunk', chunk())
    await kit.meeting.postChat('Decision: we ship on Friday.')

    // The stub writes its summary only from lines it actually received, so a prompt without them fails here.
    kit.stub.enqueue({
      kind: 'respond',
      build: (body: ChatRequestBody) => {
        const context = body.messages.map((m) => m.content).join('\n')
        const decision = /: (Decision: [^\n]+)/.exec(context)?.[1]?.replace('Decision: ', '') ?? 'None'
        const action = /\] Grace: ([^\n]+)/.exec(context)?.[1] ?? 'None'
        return {
          kind: 'text',
          tokens: [
            '## Summary\n- Budget and release\n',
            `## Decisions\n- ${decision}\n`,
            `## Action items\n- [ ] Grace — ${action}\n`,
            '## Open questions\n- None\n',
          ],
        }
      },
    })
    const requestId = rid()
    await kit.call('ai:ask', { requestId, kind: 'summary' })
    const end = await kit.end(requestId)
    expect(end.channel).toBe('ai:done')
    const summary = (
      end.payload as { summary?: { id: string; path: string; decisions: number; actionItems: number } }
    ).summary!
    expect(summary).toMatchObject({ decisions: 1, actionItems: 1 })
    expect(summary.path.startsWith(join(kit.dataDir, 'meetings') + sep)).toBe(true)
    const file = readFileSync(summary.path, 'utf8')
    expect(file).toContain('## Decisions\n\n- we ship on Friday.')
    expect(file).toContain('- [ ] **Grace**: I will send the budget by Monday.')
    expect(file).toMatch(/- Participants: You/)
    // The captions behind it are kept beside it, with speaker and time.
    const transcript = readFileSync(summary.path.replace(/summary-([^/\\]+)$/, 'transcript-$1'), 'utf8')
    expect(transcript).toMatch(/^- \d\d:\d\d:\d\d \*\*Grace\*\*: I will send the budget by Monday\.$/m)
    expect(kit.stub.chats[0]!.body.tools).toBeUndefined()

    expect(await kit.call('ai:postSummary', { summaryId: summary.id })).toEqual({
      ok: true,
      value: { posted: true },
    })
    const posted = kit.meeting.snapshot().chat.at(-1)!.text
    expect(posted).toContain('Decisions:\n• we ship on Friday.')
    expect(posted).toContain('Grace: I will send the budget by Monday.')
  })

  it('reports a summary it could not save, and still lets it be posted', async () => {
    // A file where the folder should be: mkdir fails.
    const blocker = join(tempDir(), 'not-a-folder')
    writeFileSync(blocker, 'x')
    kit = await aiKit({ platform: { meetingFilesDir: blocker } })
    kit.stub.enqueue({ kind: 'text', tokens: ['## Decisions\n- Ship it\n'] })
    const requestId = rid()
    await kit.call('ai:ask', { requestId, kind: 'summary' })
    const end = await kit.end(requestId)
    expect(end.payload).toMatchObject({
      summary: { path: null, saveError: /could not be saved/, decisions: 1 },
    })
    const id = (end.payload as { summary: { id: string } }).summary.id
    expect(await kit.call('ai:postSummary', { summaryId: id })).toEqual({ ok: true, value: { posted: true } })
  })

  it('catch me up looks at the recent window only', async () => {
    kit = await aiKit()
    await kit.meeting.postChat('An old remark')
    kit.stub.enqueue({ kind: 'text', tokens: ['Nothing new.'] })
    const requestId = rid()
    await kit.call('ai:ask', { requestId, kind: 'catchUp', windowMs: 60_000 })
    await kit.end(requestId)
    const prompt = kit.stub.chats[0]!.body.messages.map((m) => m.content).join('\n')
    expect(prompt).toContain('An old remark')
    expect(prompt).toMatch(/last 1 minutes/)
  })
})

describe('a broken meeting context cannot wedge the assistant', () => {
  it('ends the request with an error and takes the next one', async () => {
    kit = await aiKit()
    const original = kit.meeting.snapshot.bind(kit.meeting)
    let broken = true
    kit.meeting.snapshot = () => {
      if (broken) throw new Error('room connection lost')
      return original()
    }
    // The panel's state still loads (with empty counts) while the context is broken.
    expect(await kit.call('ai:getState', {})).toMatchObject({
      ok: true,
      value: { context: { participants: 0 } },
    })
    const requestId = rid()
    await kit.call('ai:ask', { requestId, kind: 'ask', question: 'Hi?' })
    expect(await kit.end(requestId)).toMatchObject({ channel: 'ai:error', payload: { reason: 'internal' } })
    expect(kit.stub.chats).toHaveLength(0)
    broken = false
    kit.stub.enqueue({ kind: 'text', tokens: ['Fine.'] })
    const next = rid()
    await expect
      .poll(async () => (await kit.call('ai:ask', { requestId: next, kind: 'ask', question: 'Again?' })).ok)
      .toBe(true)
    expect(await kit.end(next)).toMatchObject({ channel: 'ai:done' })
  })
})
