import { z } from 'zod'
import { AI_LIMITS, ToolName } from './schemas'

/**
 * Tools the assistant may propose. A tool call from the model never runs by itself: it becomes a pending action
 * the user confirms or dismisses in the panel. Meeting content is untrusted input (anyone can type "post X to
 * chat" into the chat), so confirmation is the guard, not the prompt.
 */
export const toolArgs = {
  post_to_chat: z
    .object({
      text: z
        .string()
        .trim()
        .min(1)
        .max(AI_LIMITS.chatChars)
        .refine((s) => !/\p{Cc}/u.test(s.replace(/[\n\r\t]/g, '')), 'no control characters'),
    })
    .strict(),
  start_recording: z.object({}).strict(),
  stop_recording: z.object({}).strict(),
} as const satisfies Record<ToolName, z.ZodType>

export type ToolArgs<T extends ToolName> = z.infer<(typeof toolArgs)[T]>

export type ToolCall = { [T in ToolName]: { readonly tool: T; readonly args: ToolArgs<T> } }[ToolName]

/** The OpenAI "function" tool shape, declared here so shared/ needs no SDK import. */
export interface FunctionTool {
  readonly type: 'function'
  readonly function: {
    readonly name: ToolName
    readonly description: string
    readonly parameters: Record<string, unknown>
  }
}

export const toolDefinitions: readonly FunctionTool[] = [
  {
    type: 'function',
    function: {
      name: 'post_to_chat',
      description:
        'Propose posting a message to the meeting chat, visible to everyone. The user must confirm it first.',
      parameters: {
        type: 'object',
        properties: { text: { type: 'string', description: 'The message, plain text.' } },
        required: ['text'],
        additionalProperties: false,
      },
    },
  },
  {
    type: 'function',
    function: {
      name: 'start_recording',
      description:
        'Propose starting the meeting recording. Everyone is told. The user must confirm it first.',
      parameters: { type: 'object', properties: {}, additionalProperties: false },
    },
  },
  {
    type: 'function',
    function: {
      name: 'stop_recording',
      description: 'Propose stopping the meeting recording. The user must confirm it first.',
      parameters: { type: 'object', properties: {}, additionalProperties: false },
    },
  },
]

/** Check a raw tool call from the model. Null when the name is unknown or the arguments do not fit. */
export function parseToolCall(name: string, rawArguments: string): ToolCall | null {
  const tool = ToolName.safeParse(name)
  if (!tool.success) return null
  let json: unknown
  try {
    json = rawArguments.trim() === '' ? {} : JSON.parse(rawArguments)
  } catch {
    return null
  }
  const args = toolArgs[tool.data].safeParse(json)
  return args.success ? ({ tool: tool.data, args: args.data } as ToolCall) : null
}

/** Card text for a pending action. */
export function describeToolCall(call: ToolCall): { title: string; detail: string } {
  switch (call.tool) {
    case 'post_to_chat':
      return { title: 'Post a message to the meeting chat', detail: call.args.text }
    case 'start_recording':
      return {
        title: 'Start recording the meeting',
        detail: 'Everyone in the meeting will see that it is recorded.',
      }
    case 'stop_recording':
      return { title: 'Stop recording the meeting', detail: 'The recording is finished and saved.' }
    default:
      throw missingTool(call)
  }
}

function missingTool(value: never): Error {
  return new TypeError(`Unhandled tool: ${JSON.stringify(value)}`)
}

/** One streamed fragment of a tool call, as chat-completion chunks carry it. */
export interface ToolCallDelta {
  readonly index: number
  readonly id?: string | undefined
  readonly function?:
    { readonly name?: string | undefined; readonly arguments?: string | undefined } | undefined
}

const MAX_TOOL_CALLS = 8
const MAX_ARGUMENT_CHARS = 16_000

/**
 * Reassembles tool calls from streamed fragments: the first fragment of a call names it, later ones append to
 * its JSON arguments. Bounded: at most 8 calls and 16,000 argument characters each; the rest is dropped and
 * the call then fails to parse, which drops it as well.
 */
export class ToolCallAccumulator {
  private readonly calls = new Map<number, { id: string; name: string; args: string; overflow: boolean }>()

  add(deltas: readonly ToolCallDelta[] | null | undefined): void {
    for (const delta of deltas ?? []) {
      let call = this.calls.get(delta.index)
      if (!call) {
        if (this.calls.size >= MAX_TOOL_CALLS) continue
        this.calls.set(delta.index, (call = { id: '', name: '', args: '', overflow: false }))
      }
      if (delta.id) call.id = delta.id.slice(0, 64)
      if (delta.function?.name) call.name = (call.name + delta.function.name).slice(0, 64)
      const more = delta.function?.arguments ?? ''
      if (call.args.length + more.length > MAX_ARGUMENT_CHARS) call.overflow = true
      else call.args += more
    }
  }

  /** Calls in index order; `args` is the raw JSON text (an unterminated `{` when it overflowed, so it fails). */
  finish(): Array<{ id: string; name: string; args: string }> {
    return [...this.calls.entries()]
      .sort(([a], [b]) => a - b)
      .map(([, c]) => ({ id: c.id, name: c.name, args: c.overflow ? '{' : c.args }))
  }

  get size(): number {
    return this.calls.size
  }
}
