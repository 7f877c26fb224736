import { afterEach, describe, expect, it, vi } from 'vitest'
import { aiKit, everythingVisible, rid, TEST_KEY, type AiKit } from '../../../test/helpers/openaiStub/aiKit'
import { createGate } from '../../../test/helpers/openaiStub/OpenAiStub'

let kit: AiKit
afterEach(async () => {
  await kit?.close()
})

describe('assistant answers through the SDK against the stub', () => {
  it('streams tokens as ai:delta events in order, then ai:done; the key goes only to the server', async () => {
    kit = await aiKit()
    kit.stub.enqueue({ kind: 'text', tokens: ['The ', 'team ', 'ships ', 'Friday.'] })
    const requestId = rid()
    const started = await kit.call('ai:ask', { requestId, kind: 'ask', question: 'When do we ship?' })
    expect(started).toEqual({ ok: true, value: { requestId } })
    const end = await kit.end(requestId)
    expect(end.channel).toBe('ai:done')
    expect(end.payload).toMatchObject({ finish: 'stop' })
    expect(
      kit
        .of('ai:delta', requestId)
        .map((d) => d.text)
        .join(''),
    ).toBe('The team ships Friday.')
    // waiting comes before the first delta, done is last.
    const order = kit.events
      .filter((e) => (e.payload as { requestId?: string }).requestId === requestId)
      .map((e) => e.channel)
    expect(order[0]).toBe('ai:status')
    expect(order.at(-1)).toBe('ai:done')

    const [chat] = kit.stub.chats
    expect(chat!.authorization).toBe(`Bearer ${TEST_KEY}`)
    expect(chat!.body.model).toBe('gpt-4o-mini')
    expect(chat!.body.stream).toBe(true)
    expect(chat!.body.tools?.map((t) => t.function.name)).toContain('post_to_chat')
    expect(chat!.body.messages.at(-1)).toEqual({ role: 'user', content: 'When do we ship?' })
    expect(everythingVisible(kit)).not.toContain(TEST_KEY)
  })

  it('sends follow-up questions with the earlier turns', async () => {
    kit = await aiKit()
    kit.stub.enqueue({ kind: 'text', tokens: ['Ada and Grace.'] }, { kind: 'text', tokens: ['Grace.'] })
    const first = rid()
    await kit.call('ai:ask', { requestId: first, kind: 'ask', question: 'Who is here?' })
    await kit.end(first)
    const second = rid()
    await kit.call('ai:ask', { requestId: second, kind: 'ask', question: 'Who spoke last?' })
    await kit.end(second)
    const contents = kit.stub.chats[1]!.body.messages.map((m) => m.content)
    expect(contents.slice(-3)).toEqual(['Who is here?', 'Ada and Grace.', 'Who spoke last?'])
  })

  it('refuses to answer while the assistant is off, and tells the room when it turns on', async () => {
    kit = await aiKit({ assistant: false })
    const refused = await kit.call('ai:ask', { requestId: rid(), kind: 'summary' })
    expect(refused).toMatchObject({ ok: false, error: { code: 'forbidden' } })
    expect(kit.meeting.announced).toEqual({ assistant: false, captions: false })
    const on = await kit.call('ai:setEnabled', { captions: true })
    expect(on).toMatchObject({ ok: true, value: { captions: true, assistant: false } })
    expect(kit.meeting.announced).toEqual({ assistant: false, captions: true })
    await kit.call('ai:setEnabled', { assistant: true })
    await kit.call('ai:setEnabled', { captions: false })
    expect(kit.meeting.announced).toEqual({ assistant: true, captions: false })
    await kit.call('ai:setEnabled', { assistant: false })
    expect(kit.meeting.announced).toEqual({ assistant: false, captions: false })
    expect(kit.of('ai:state').at(-1)).toMatchObject({ assistant: false, captions: false })
    expect(kit.stub.chats).toHaveLength(0)
  })

  it('says what to do when no key is stored, without calling the server', async () => {
    kit = await aiKit({ key: null })
    const state = await kit.call('ai:getState', {})
    expect(state).toMatchObject({ ok: true, value: { configured: false } })
    const result = await kit.call('ai:ask', { requestId: rid(), kind: 'ask', question: 'Hi?' })
    expect(result).toMatchObject({ ok: false, error: { code: 'unauthorized' } })
    if (!result.ok) expect(result.error.message).toMatch(/Settings → AI assistant/)
    expect(kit.stub.chats).toHaveLength(0)
  })

  it('runs one answer at a time', async () => {
    kit = await aiKit()
    const gate = createGate()
    kit.stub.enqueue({ kind: 'text', tokens: ['a', 'b'], gate })
    const first = rid()
    await kit.call('ai:ask', { requestId: first, kind: 'ask', question: 'One?' })
    const second = await kit.call('ai:ask', { requestId: rid(), kind: 'ask', question: 'Two?' })
    expect(second).toMatchObject({ ok: false, error: { code: 'rate_limited' } })
    gate.release(2)
    expect((await kit.end(first)).channel).toBe('ai:done')
  })

  it('caps a runaway answer and marks it truncated', async () => {
    kit = await aiKit()
    kit.stub.enqueue({ kind: 'text', tokens: Array.from({ length: 30 }, () => 'x'.repeat(1000)) })
    const requestId = rid()
    await kit.call('ai:ask', { requestId, kind: 'ask', question: 'Long?' })
    expect((await kit.end(requestId)).payload).toMatchObject({ finish: 'truncated' })
    expect(kit.of('ai:delta', requestId).reduce((n, d) => n + d.text.length, 0)).toBe(20_000)
  })
})

describe('assistant failures: the panel is told what happened, and the next question works', () => {
  const askAndEnd = async (question = 'Status?') => {
    const requestId = rid()
    const started = await kit.call('ai:ask', { requestId, kind: 'ask', question })
    expect(started.ok).toBe(true)
    return { requestId, end: await kit.end(requestId) }
  }
  const worksAfterwards = async () => {
    kit.stub.enqueue({ kind: 'text', tokens: ['Back to normal.'] })
    const { end, requestId } = await askAndEnd()
    expect(end.channel).toBe('ai:done')
    expect(
      kit
        .of('ai:delta', requestId)
        .map((d) => d.text)
        .join(''),
    ).toBe('Back to normal.')
  }

  it('401: names the problem and the fix, never the server text (which echoes the key), no retry', async () => {
    kit = await aiKit()
    kit.stub.enqueue({ kind: 'status', status: 401, message: `Incorrect API key provided: ${TEST_KEY}` })
    const { end } = await askAndEnd()
    expect(end).toMatchObject({ channel: 'ai:error', payload: { reason: 'unauthorized', retryable: false } })
    expect((end.payload as { message: string }).message).toMatch(
      /rejected the API key \(HTTP 401\).*Settings/,
    )
    expect(kit.stub.chats).toHaveLength(1)
    expect(everythingVisible(kit)).not.toContain(TEST_KEY)
    expect(everythingVisible(kit)).not.toContain('Incorrect API key')
    await worksAfterwards()
  })

  it('429 with Retry-After: waits as told (shown as retrying), then answers', async () => {
    kit = await aiKit()
    kit.stub.enqueue({ kind: 'status', status: 429, headers: { 'retry-after': '2' } })
    kit.stub.enqueue({ kind: 'text', tokens: ['Fine now.'] })
    const { requestId, end } = await askAndEnd()
    expect(end.channel).toBe('ai:done')
    expect(kit.waits).toEqual([2000])
    expect(kit.of('ai:status', requestId)).toContainEqual({
      requestId,
      status: 'retrying',
      ms: 2000,
      reason: 'rate_limited',
    })
    expect(kit.stub.chats).toHaveLength(2)
  })

  it('429 asking for longer than we wait: says when to try again instead of spinning', async () => {
    kit = await aiKit()
    kit.stub.enqueue({ kind: 'status', status: 429, headers: { 'retry-after': '120' } })
    const { end } = await askAndEnd()
    expect(end).toMatchObject({
      channel: 'ai:error',
      payload: { reason: 'rate_limited', retryInMs: 120_000, retryable: true },
    })
    expect((end.payload as { message: string }).message).toMatch(/Try again in 2 min/)
    expect(kit.waits).toEqual([])
    expect(kit.stub.chats).toHaveLength(1)
    await worksAfterwards()
  })

  it('5xx is retried with backoff a bounded number of times', async () => {
    kit = await aiKit()
    for (let i = 0; i < 3; i++) kit.stub.enqueue({ kind: 'status', status: 503 })
    const { end } = await askAndEnd()
    expect(end).toMatchObject({ channel: 'ai:error', payload: { reason: 'server' } })
    expect(kit.waits).toHaveLength(2)
    expect(kit.stub.chats).toHaveLength(3)
    await worksAfterwards()
  })

  it('a stream cut mid-answer keeps the text shown so far and is not retried', async () => {
    kit = await aiKit()
    kit.stub.enqueue({ kind: 'cut', tokens: ['We decided ', 'to ship '] })
    const { requestId, end } = await askAndEnd()
    expect(
      kit
        .of('ai:delta', requestId)
        .map((d) => d.text)
        .join(''),
    ).toBe('We decided to ship ')
    expect(end).toMatchObject({ channel: 'ai:error', payload: { reason: 'stream_cut', retryable: true } })
    expect((end.payload as { message: string }).message).toMatch(/cut off.*part shown is kept/)
    expect(kit.stub.chats).toHaveLength(1)
    await worksAfterwards()
  })

  it('a stream that ends without a finish reason counts as cut', async () => {
    kit = await aiKit()
    kit.stub.enqueue({ kind: 'text', tokens: ['Half an ', 'answer'], finish: null })
    const { end } = await askAndEnd()
    expect(end).toMatchObject({ channel: 'ai:error', payload: { reason: 'stream_cut' } })
  })

  it('a slow server: the panel hears "slow", then a timeout ends the request and the connection', async () => {
    kit = await aiKit({ platform: { ai: { timeouts: { slowMs: 50, firstTokenMs: 400, idleMs: 400 } } } })
    kit.stub.enqueue({ kind: 'hang', headers: true })
    const { requestId, end } = await askAndEnd()
    expect(kit.of('ai:status', requestId).map((s) => s.status)).toContain('slow')
    expect(end).toMatchObject({ channel: 'ai:error', payload: { reason: 'timeout' } })
    await vi.waitFor(() => expect(kit.stub.chats[0]!.clientClosed).toBe(true))
    await worksAfterwards()
  })

  it('a server that never sends headers times out too', async () => {
    kit = await aiKit({ platform: { ai: { timeouts: { slowMs: 50, firstTokenMs: 300 } } } })
    kit.stub.enqueue({ kind: 'hang', headers: false })
    const { end } = await askAndEnd()
    expect(end).toMatchObject({ channel: 'ai:error', payload: { reason: 'timeout' } })
  })

  it('stop (ai:cancel) aborts the SDK stream mid-answer', async () => {
    kit = await aiKit()
    const gate = createGate()
    kit.stub.enqueue({ kind: 'text', tokens: ['one ', 'two ', 'three'], gate })
    const requestId = rid()
    await kit.call('ai:ask', { requestId, kind: 'ask', question: 'Count?' })
    gate.release(1)
    await vi.waitFor(() => expect(kit.of('ai:delta', requestId)).toHaveLength(1))
    expect(await kit.call('ai:cancel', { requestId })).toEqual({ ok: true, value: { cancelled: true } })
    const end = await kit.end(requestId)
    expect(end).toMatchObject({ channel: 'ai:error', payload: { reason: 'cancelled' } })
    await vi.waitFor(() => expect(kit.stub.chats[0]!.clientClosed).toBe(true))
    expect(await kit.call('ai:cancel', { requestId })).toEqual({ ok: true, value: { cancelled: false } })
    await worksAfterwards()
  })

  it('turning the assistant off stops its answer', async () => {
    kit = await aiKit()
    kit.stub.enqueue({ kind: 'hang', headers: true })
    const requestId = rid()
    await kit.call('ai:ask', { requestId, kind: 'ask', question: 'Hello?' })
    await vi.waitFor(() => expect(kit.stub.chats).toHaveLength(1))
    await kit.call('ai:setEnabled', { assistant: false })
    expect(await kit.end(requestId)).toMatchObject({ payload: { reason: 'cancelled' } })
  })

  it('network loss (nothing listening): retried, then reported with the server name', async () => {
    kit = await aiKit()
    await kit.stub.close()
    const { end } = await askAndEnd()
    expect(end).toMatchObject({ channel: 'ai:error', payload: { reason: 'network' } })
    expect((end.payload as { message: string }).message).toMatch(
      /Cannot reach the AI server \(127\.0\.0\.1:\d+\)/,
    )
    expect(kit.waits).toHaveLength(2)
  })
})
