import { describe, expect, it } from 'vitest'
import { describeToolCall, parseToolCall, ToolCallAccumulator, toolDefinitions } from './tools'
import { ToolName } from './schemas'

describe('tool calls', () => {
  it('declares one definition per tool name', () => {
    expect(toolDefinitions.map((t) => t.function.name).sort()).toEqual([...ToolName.options].sort())
  })

  it('reassembles streamed fragments in index order', () => {
    const acc = new ToolCallAccumulator()
    acc.add([{ index: 1, id: 'call_2', function: { name: 'start_recording', arguments: '' } }])
    acc.add([{ index: 0, id: 'call_1', function: { name: 'post_', arguments: '{"te' } }])
    acc.add([{ index: 0, function: { name: 'to_chat', arguments: 'xt":"We ship' } }])
    acc.add([
      { index: 0, function: { arguments: ' Friday."}' } },
      { index: 1, function: { arguments: '{}' } },
    ])
    const calls = acc.finish()
    expect(calls).toEqual([
      { id: 'call_1', name: 'post_to_chat', args: '{"text":"We ship Friday."}' },
      { id: 'call_2', name: 'start_recording', args: '{}' },
    ])
    expect(parseToolCall(calls[0]!.name, calls[0]!.args)).toEqual({
      tool: 'post_to_chat',
      args: { text: 'We ship Friday.' },
    })
  })

  it('rejects unknown tools, bad JSON, wrong or extra arguments and oversized calls', () => {
    expect(parseToolCall('delete_everything', '{}')).toBeNull()
    expect(parseToolCall('post_to_chat', '{"text":')).toBeNull()
    expect(parseToolCall('post_to_chat', '{"text":""}')).toBeNull()
    expect(parseToolCall('post_to_chat', '{"text":"hi","to":"all"}')).toBeNull()
    expect(parseToolCall('post_to_chat', JSON.stringify({ text: 'x'.repeat(5000) }))).toBeNull()
    expect(parseToolCall('start_recording', '')).toEqual({ tool: 'start_recording', args: {} })
    const acc = new ToolCallAccumulator()
    acc.add([{ index: 0, function: { name: 'post_to_chat', arguments: `{"text":"${'a'.repeat(20_000)}"}` } }])
    const [call] = acc.finish()
    expect(parseToolCall(call!.name, call!.args)).toBeNull()
  })

  it('caps the number of calls', () => {
    const acc = new ToolCallAccumulator()
    acc.add(Array.from({ length: 20 }, (_, i) => ({ index: i, function: { name: 'start_recording' } })))
    expect(acc.size).toBe(8)
  })

  it('describes each tool for the confirm card', () => {
    expect(describeToolCall({ tool: 'post_to_chat', args: { text: 'Hello all' } })).toEqual({
      title: 'Post a message to the meeting chat',
      detail: 'Hello all',
    })
    expect(describeToolCall({ tool: 'start_recording', args: {} }).title).toMatch(/Start recording/)
  })
})
