import { z } from 'zod'

/**
 * Wire shapes of the AI assistant (issue 9): what crosses IPC between the panel and main. The OpenAI key is never
 * part of any of them; the renderer only learns whether one is configured.
 */

/** Bounds that keep the assistant from growing without limit, whatever the model or the meeting sends. */
export const AI_LIMITS = {
  questionChars: 2000,
  /** An answer longer than this is cut and marked `truncated`. */
  answerChars: 20_000,
  summaryChars: 40_000,
  /** One `ai:delta` event; main coalesces tokens that arrive in the same tick. */
  deltaChars: 40_000,
  /**
   * One audio chunk, base64. About 150 KB of audio: 4.5 s of 16 kHz 16-bit mono WAV, or a minute of Opus. It has
   * to fit the web-mode socket's frame limit (`RPC_MAX_FRAME`, 256 KB) with room for the JSON around it.
   */
  audioBase64Chars: 200_000,
  captionChars: 2000,
  transcriptEntries: 2000,
  transcriptChars: 400_000,
  pendingActions: 8,
  /** The room protocol's chat limit (`ROOM_LIMITS.maxChatChars`). */
  chatChars: 4000,
  /** Earlier questions and answers sent along with a follow-up question. */
  historyTurns: 6,
} as const

/** Chosen by the renderer before it asks, so events that arrive before the invoke's reply can be matched. */
export const RequestId = z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, 'must be 8 to 64 letters, digits, - or _')
export type RequestId = z.infer<typeof RequestId>

const Question = z
  .string()
  .trim()
  .min(1, 'Type a question first')
  .max(AI_LIMITS.questionChars, `Keep questions under ${AI_LIMITS.questionChars} characters`)

/** What the user asks for: a question about the meeting, a catch-up, or the end-of-meeting summary. */
export const AskRequest = z.discriminatedUnion('kind', [
  z.object({ requestId: RequestId, kind: z.literal('ask'), question: Question }).strict(),
  z
    .object({
      requestId: RequestId,
      kind: z.literal('catchUp'),
      /** How far back to look, in ms; 15 minutes when absent. */
      windowMs: z
        .number()
        .int()
        .min(60_000)
        .max(24 * 3_600_000)
        .optional(),
    })
    .strict(),
  z.object({ requestId: RequestId, kind: z.literal('summary') }).strict(),
])
export type AskRequest = z.infer<typeof AskRequest>
export type AskKind = AskRequest['kind']

/** Why an answer did not complete. The panel shows the message; `reason` is for tests and styling. */
export const AiFailureReason = z.enum([
  'no_key',
  'unauthorized',
  'rate_limited',
  'network',
  'stream_cut',
  'timeout',
  'server',
  'bad_request',
  'cancelled',
  'internal',
])
export type AiFailureReason = z.infer<typeof AiFailureReason>

export const AiDelta = z.object({ requestId: RequestId, text: z.string().max(AI_LIMITS.deltaChars) })
export type AiDelta = z.infer<typeof AiDelta>

/**
 * Progress that is not text: `waiting` once the request is sent, `slow` when the server has been silent for a
 * while, `retrying` before a retry (with the wait, e.g. from Retry-After), `streaming` when text flows again.
 */
export const AiStatus = z.object({
  requestId: RequestId,
  status: z.enum(['waiting', 'slow', 'retrying', 'streaming']),
  /** For `retrying`: ms until the next attempt. For `slow`: ms since the last sign of life. */
  ms: z.number().int().nonnegative().optional(),
  reason: AiFailureReason.optional(),
})
export type AiStatus = z.infer<typeof AiStatus>

export const SummaryInfo = z.object({
  id: z.string().max(64),
  /** Where the Markdown file was written, or null when saving failed (`saveError` says why). */
  path: z.string().max(4096).nullable(),
  saveError: z.string().max(500).optional(),
  decisions: z.number().int().nonnegative(),
  actionItems: z.number().int().nonnegative(),
})
export type SummaryInfo = z.infer<typeof SummaryInfo>

export const AiDone = z.object({
  requestId: RequestId,
  /** `truncated`: the answer hit `AI_LIMITS` and was cut by us; `length`: the model's own token limit. */
  finish: z.enum(['stop', 'length', 'tool_calls', 'truncated']),
  summary: SummaryInfo.optional(),
  /** Tool calls the model made that did not match a known tool or its arguments. */
  ignoredToolCalls: z.number().int().nonnegative().optional(),
})
export type AiDone = z.infer<typeof AiDone>

export const AiErrorEvent = z.object({
  requestId: RequestId,
  reason: AiFailureReason,
  message: z.string().max(500),
  retryable: z.boolean(),
  /** For `rate_limited`: when the server says a retry may succeed, in ms. */
  retryInMs: z.number().int().nonnegative().optional(),
})
export type AiErrorEvent = z.infer<typeof AiErrorEvent>

/** Tools the model may propose. None runs before the user confirms it in the panel. */
export const ToolName = z.enum(['post_to_chat', 'start_recording', 'stop_recording'])
export type ToolName = z.infer<typeof ToolName>

export const PendingAction = z.object({
  id: z.string().max(64),
  requestId: RequestId,
  tool: ToolName,
  /** One line for the confirm card, e.g. `Post a message to the meeting chat`. */
  title: z.string().max(200),
  /** What exactly would happen, e.g. the message text. */
  detail: z.string().max(AI_LIMITS.chatChars),
  createdAt: z.number(),
})
export type PendingAction = z.infer<typeof PendingAction>

/** One caption line: who spoke (from the audio track's owner), when (ms since epoch), and what. */
export const TranscriptEntry = z.object({
  id: z.string().max(300),
  participantId: z.string().max(128),
  speaker: z.string().max(64),
  trackId: z.string().max(128).optional(),
  startMs: z.number(),
  endMs: z.number(),
  text: z.string().max(AI_LIMITS.captionChars),
})
export type TranscriptEntry = z.infer<typeof TranscriptEntry>

const base64 = /^[A-Za-z0-9+/]+={0,2}$/

/** A chunk of one participant's audio for captions. Base64, because web mode carries IPC as JSON text. */
export const TranscribeChunk = z
  .object({
    participantId: z.string().min(1).max(128),
    speaker: z
      .string()
      .trim()
      .min(1)
      .max(64)
      .refine((s) => !/\p{Cc}/u.test(s), 'must not contain control characters'),
    trackId: z.string().min(1).max(128).optional(),
    /** When the chunk's first sample was captured, ms since epoch. */
    startedAt: z.number().int().min(0).max(8_640_000_000_000_000),
    durationMs: z.number().int().min(100).max(60_000),
    mime: z.enum(['audio/wav', 'audio/webm', 'audio/ogg', 'audio/mpeg', 'audio/mp4']),
    audio: z
      .string()
      .min(16)
      .max(AI_LIMITS.audioBase64Chars, 'Audio chunks must be shorter: send at most about 150 KB per chunk')
      .regex(base64, 'must be base64'),
  })
  .strict()
export type TranscribeChunk = z.infer<typeof TranscribeChunk>

/** What the panel needs to draw itself; sent in full on every change (it is small). */
export const AiState = z.object({
  /** The assistant is on: everyone in the meeting is told. */
  assistant: z.boolean(),
  /** Captions are on: everyone in the meeting is told. */
  captions: z.boolean(),
  /** An API key is in the vault (its value never leaves main). */
  configured: z.boolean(),
  model: z.string().max(100),
  /** Which server answers: `api.openai.com` or the host of a custom base URL. */
  server: z.string().max(300),
  busy: z.boolean(),
  pendingActions: z.array(PendingAction).max(AI_LIMITS.pendingActions),
  context: z.object({
    participants: z.number().int().nonnegative(),
    chatMessages: z.number().int().nonnegative(),
    transcriptEntries: z.number().int().nonnegative(),
    agendaItems: z.number().int().nonnegative(),
  }),
})
export type AiState = z.infer<typeof AiState>

export const SetEnabledRequest = z
  .object({ assistant: z.boolean().optional(), captions: z.boolean().optional() })
  .strict()

export const ResolveActionRequest = z
  .object({ actionId: z.string().min(1).max(64), decision: z.enum(['confirm', 'dismiss']) })
  .strict()
export const ResolveActionResponse = z.object({
  outcome: z.enum(['done', 'dismissed']),
  message: z.string().max(500),
})

/** Structured end-of-meeting summary, parsed from the model's Markdown. */
export interface MeetingSummary {
  readonly overview: readonly string[]
  readonly decisions: readonly string[]
  readonly actionItems: ReadonlyArray<{ readonly owner: string | null; readonly task: string }>
  readonly openQuestions: readonly string[]
}

/** A participant as the assistant sees it. */
export interface MeetingParticipant {
  readonly id: string
  readonly name: string
  /** An AI participant (e.g. a bridged voice agent). */
  readonly ai: boolean
  /** The local user. */
  readonly you: boolean
}

export interface MeetingChatMessage {
  readonly id: string
  readonly from: string
  readonly text: string
  /** ms since epoch */
  readonly at: number
}

/** Everything the meeting offers the assistant at one moment. Captions come from main's transcript store. */
export interface MeetingSnapshot {
  readonly meetingId: string
  readonly title: string
  /** ms since epoch */
  readonly startedAt: number
  readonly participants: readonly MeetingParticipant[]
  readonly chat: readonly MeetingChatMessage[]
  readonly agenda: readonly string[]
}
