import { randomUUID } from 'node:crypto'
import { AppError } from '../../../shared/errors/AppError'
import type { PayloadOf } from '../../../shared/ipc/contract'
import { buildMessages } from '../../../shared/ai/prompt'
import {
  AI_LIMITS,
  type AiState,
  type AskRequest,
  type MeetingSnapshot,
  type MeetingSummary,
  type PendingAction,
  type RequestId,
  type SummaryInfo,
  type TranscribeChunk,
  type TranscriptEntry,
} from '../../../shared/ai/schemas'
import {
  meetingFolderName,
  parseSummary,
  renderChatSummary,
  renderSummaryMarkdown,
  renderTranscriptMarkdown,
  summaryFileName,
  transcriptFileName,
} from '../../../shared/ai/summary'
import { describeToolCall, parseToolCall, toolDefinitions, type ToolCall } from '../../../shared/ai/tools'
import { AiClient, type AiClientDeps, type ChatStreamResult } from './AiClient'
import { Captions } from './Captions'
import { AiFailure } from './errors'
import type { MeetingContext } from './MeetingContext'
import type { SummaryWriter } from './summaryFiles'

type AiEvent = 'ai:delta' | 'ai:status' | 'ai:done' | 'ai:error' | 'ai:caption' | 'ai:state'

export interface AiServiceDeps extends AiClientDeps {
  /** Main → renderer events (the EventHub). */
  readonly emit: <K extends AiEvent>(channel: K, payload: PayloadOf<K>) => void
  readonly meeting: MeetingContext
  readonly summaries: SummaryWriter
}

interface Running {
  readonly request: AskRequest
  readonly controller: AbortController
  /** Text received but not yet emitted: tokens arriving in the same tick go out as one event. */
  pending: string
  flushScheduled: boolean
}

/**
 * The assistant in main: answers about the meeting (streamed to the panel as events), catch-ups, end-of-meeting
 * summaries saved as Markdown, captions, and tool calls that wait for the user's confirmation. One answer runs
 * at a time. Every public method returns quickly; streams run detached and end in exactly one `ai:done` or
 * `ai:error`, and nothing here can throw into the caller's event loop.
 */
export class AiService {
  readonly client: AiClient
  private readonly captions: Captions
  private assistantOn = false
  private captionsOn = false
  /** The meeting the room was last told about this participant's AI state in. */
  private announcedIn: string | null = null
  /** The meeting the transcript belongs to. */
  private transcriptOf: string | null = null
  private running: Running | null = null
  private readonly actions = new Map<string, PendingAction & { call: ToolCall }>()
  private readonly summaries = new Map<string, MeetingSummary>()
  private history: Array<{ question: string; answer: string }> = []
  private readonly now: () => number

  constructor(private readonly deps: AiServiceDeps) {
    this.client = new AiClient(deps)
    this.now = deps.now ?? Date.now
    this.captions = new Captions({
      client: this.client,
      log: deps.log.child('captions'),
      onEntry: (entry) => {
        this.emit('ai:caption', entry)
        this.emitState()
      },
    })
  }

  state(): AiState {
    const config = this.deps.config()
    const snapshot = this.snapshotForState()
    return {
      assistant: this.assistantOn,
      captions: this.captionsOn,
      configured: Boolean(config.apiKey),
      model: config.model,
      server: this.client.server(config),
      busy: this.running !== null,
      pendingActions: [...this.actions.values()].map(({ call: _call, ...action }) => action),
      context: {
        participants: snapshot.participants.length,
        chatMessages: snapshot.chat.length,
        transcriptEntries: this.transcriptOf === snapshot.meetingId ? this.captions.entries.length : 0,
        agendaItems: snapshot.agenda.length,
      },
    }
  }

  /** The meeting for counts in the panel; a context that fails here must not break every call. */
  private snapshotForState(): Pick<MeetingSnapshot, 'meetingId' | 'participants' | 'chat' | 'agenda'> {
    try {
      return this.deps.meeting.snapshot()
    } catch (error) {
      this.deps.log.warn('the meeting context failed', { error: String(error) })
      return { meetingId: '', participants: [], chat: [], agenda: [] }
    }
  }

  /**
   * Turn the assistant or captions on or off. The room is told first: when it cannot be told, a feature that was
   * to turn on stays off (nobody may be captioned or read by the assistant unannounced); turning off always
   * happens. Turning the assistant off stops its answer and drops its pending actions and follow-up history.
   */
  async setEnabled(change: {
    assistant?: boolean | undefined
    captions?: boolean | undefined
  }): Promise<AiState> {
    const next = {
      assistant: change.assistant ?? this.assistantOn,
      captions: change.captions ?? this.captionsOn,
    }
    const turningOn = (next.assistant && !this.assistantOn) || (next.captions && !this.captionsOn)
    if (next.assistant !== this.assistantOn || next.captions !== this.captionsOn) {
      const meetingId = this.snapshotForState().meetingId
      try {
        await this.deps.meeting.announce(next)
        this.announcedIn = meetingId
      } catch (error) {
        const reason = AppError.from(error)
        this.deps.log.warn('could not announce the AI state to the room', { error: reason.message })
        if (turningOn) {
          throw new AppError({
            code: reason.code,
            message: `The room could not be told, so this stays off: ${reason.message}`,
            retryable: reason.retryable,
          })
        }
      }
    }
    if (next.assistant !== this.assistantOn) {
      this.assistantOn = next.assistant
      this.deps.log.info(`assistant ${next.assistant ? 'on' : 'off'}`)
      if (!next.assistant) {
        this.running?.controller.abort()
        this.actions.clear()
        this.history = []
      }
    }
    if (next.captions !== this.captionsOn) {
      this.captionsOn = next.captions
      this.deps.log.info(`captions ${next.captions ? 'on' : 'off'}`)
    }
    return this.emitState()
  }

  /**
   * Before any meeting data is read or any audio is sent: make sure the meeting in progress was told (the user may
   * have turned a feature on in the lobby and joined the room since), and keep the transcript to one meeting.
   */
  private async enterMeeting(): Promise<MeetingSnapshot> {
    const snapshot = this.deps.meeting.snapshot()
    if (this.transcriptOf !== snapshot.meetingId) {
      if (this.transcriptOf !== null) this.deps.log.info('new meeting: the transcript starts empty')
      this.captions.reset()
      this.transcriptOf = snapshot.meetingId
    }
    const want = { assistant: this.assistantOn, captions: this.captionsOn }
    const shown = this.deps.meeting.roomActivity?.() ?? null
    const stale =
      this.announcedIn !== snapshot.meetingId ||
      (shown !== null && (shown.assistant !== want.assistant || shown.captions !== want.captions))
    if (stale && (want.assistant || want.captions)) {
      this.deps.log.info('telling the room what runs', want)
      await this.deps.meeting.announce(want)
      this.announcedIn = snapshot.meetingId
    }
    return snapshot
  }

  /** Start an answer. Returns at once; the text follows as events for `request.requestId`. */
  ask(request: AskRequest): { requestId: RequestId } {
    if (!this.assistantOn) {
      throw AppError.forbidden('Turn the assistant on first. Everyone in the meeting is told while it is on.')
    }
    if (!this.deps.config().apiKey) throw AiFailure.noKey().toAppError()
    if (this.running) {
      throw new AppError({
        code: 'rate_limited',
        message: 'The assistant is still answering. Wait for it, or press Stop.',
        retryable: true,
      })
    }
    const running: Running = {
      request,
      controller: new AbortController(),
      pending: '',
      flushScheduled: false,
    }
    this.running = running
    this.emitState()
    void this.run(running)
      .catch((error: unknown) => {
        // run() reports stream failures itself; this catches the rest (a meeting context that threw), so the
        // panel still gets its end event and nothing escapes as an unhandled rejection.
        this.deps.log.error('assistant run failed', { error: String(error) })
        this.emit(
          'ai:error',
          new AiFailure('internal', 'The assistant failed unexpectedly. Try again.', true).toEvent(
            request.requestId,
          ),
        )
      })
      .then(() => {
        if (this.running === running) this.running = null
        try {
          this.emitState()
        } catch (error) {
          this.deps.log.error('could not report the assistant state', { error: String(error) })
        }
      })
    return { requestId: request.requestId }
  }

  cancel(requestId: RequestId): boolean {
    if (this.running?.request.requestId !== requestId) return false
    this.running.controller.abort()
    return true
  }

  async transcribe(chunk: TranscribeChunk): Promise<TranscriptEntry | null> {
    if (!this.captionsOn) {
      throw AppError.forbidden('Turn captions on first. Everyone in the meeting is told while they are on.')
    }
    const snapshot = await this.enterMeeting()
    // The room names who spoke: the renderer attributes the chunk to a participant id, and the room's current
    // name for that id wins over the name the renderer sent (a rename, or a stale tile).
    const known = snapshot.participants.find((p) => p.id === chunk.participantId)
    return this.captions.transcribe(known ? { ...chunk, speaker: known.name } : chunk)
  }

  /** The current meeting's transcript (empty once another meeting began). */
  transcript(limit: number): TranscriptEntry[] {
    return this.transcriptOf === this.snapshotForState().meetingId ? this.captions.last(limit) : []
  }

  /** Run or drop a proposed action. Only this call runs a tool. */
  async resolveAction(
    actionId: string,
    decision: 'confirm' | 'dismiss',
  ): Promise<{ outcome: 'done' | 'dismissed'; message: string }> {
    const action = this.actions.get(actionId)
    if (!action) {
      throw new AppError({
        code: 'not_found',
        message: 'That action is no longer pending.',
        retryable: false,
      })
    }
    this.actions.delete(actionId)
    this.emitState()
    if (decision === 'dismiss') {
      this.deps.log.info('action dismissed', { tool: action.tool })
      return { outcome: 'dismissed', message: 'Dismissed.' }
    }
    this.deps.log.info('action confirmed', { tool: action.tool })
    const message = await this.runTool(action.call)
    this.emitState()
    return { outcome: 'done', message }
  }

  async postSummary(summaryId: string): Promise<void> {
    const summary = this.summaries.get(summaryId)
    if (!summary) {
      throw new AppError({
        code: 'not_found',
        message: 'That summary is no longer available.',
        retryable: false,
      })
    }
    await this.deps.meeting.postChat(renderChatSummary(summary))
    this.deps.log.info('summary posted to chat')
    this.emitState()
  }

  close(): void {
    this.running?.controller.abort()
    this.captions.close()
  }

  private async run(running: Running): Promise<void> {
    const { request, controller } = running
    const requestId = request.requestId
    let snapshot: MeetingSnapshot
    try {
      snapshot = await this.enterMeeting()
    } catch (error) {
      this.deps.log.warn('could not announce the assistant to the room', { error: String(error) })
      const failure = new AiFailure(
        'internal',
        `The room could not be told that the assistant is on, so nothing was sent: ${AppError.from(error).message}`,
        true,
      )
      this.emit('ai:error', failure.toEvent(requestId))
      return
    }
    const messages = buildMessages({
      request,
      snapshot,
      transcript: this.captions.entries,
      history: request.kind === 'ask' ? this.history : [],
      now: this.now(),
    })
    this.deps.log.info('assistant request', { kind: request.kind, messages: messages.length })
    let result: ChatStreamResult
    try {
      result = await this.client.streamChat({
        messages,
        ...(request.kind === 'ask' ? { tools: toolDefinitions } : {}),
        maxChars: request.kind === 'summary' ? AI_LIMITS.summaryChars : AI_LIMITS.answerChars,
        signal: controller.signal,
        onDelta: (text) => this.queueDelta(running, text),
        onStatus: (status, extra) => {
          this.flush(running)
          this.emit('ai:status', { requestId, status, ...extra })
        },
      })
    } catch (error) {
      this.flush(running)
      const failure =
        error instanceof AiFailure
          ? error
          : new AiFailure('internal', 'The assistant failed unexpectedly. Try again.', true)
      this.emit('ai:error', failure.toEvent(requestId))
      return
    }
    this.flush(running)
    let ignored = 0
    if (request.kind === 'ask') {
      for (const raw of result.toolCalls) {
        const call = parseToolCall(raw.name, raw.args)
        if (call) this.propose(requestId, call)
        else ignored++
      }
      if (ignored > 0) this.deps.log.warn('ignored tool calls the assistant may not make', { count: ignored })
      const proposed = [...this.actions.values()].filter((a) => a.requestId === requestId)
      this.remember(request.question, result.text || proposed.map((a) => `(proposed: ${a.title})`).join(' '))
    }
    const summary = request.kind === 'summary' ? await this.saveSummary(result.text, snapshot) : undefined
    this.emit('ai:done', {
      requestId,
      finish: result.finish,
      ...(summary ? { summary } : {}),
      ...(ignored > 0 ? { ignoredToolCalls: ignored } : {}),
    })
  }

  private propose(requestId: RequestId, call: ToolCall): void {
    const { title, detail } = describeToolCall(call)
    const id = randomUUID()
    this.actions.set(id, { id, requestId, tool: call.tool, title, detail, createdAt: this.now(), call })
    // Bounded: the oldest proposal goes first.
    while (this.actions.size > AI_LIMITS.pendingActions) {
      this.actions.delete(this.actions.keys().next().value!)
    }
  }

  private async runTool(call: ToolCall): Promise<string> {
    switch (call.tool) {
      case 'post_to_chat':
        await this.deps.meeting.postChat(call.args.text)
        return 'Posted to the meeting chat.'
      case 'start_recording':
        await this.deps.meeting.startRecording()
        return 'Recording started.'
      case 'stop_recording':
        await this.deps.meeting.stopRecording()
        return 'Recording stopped.'
      default:
        throw new TypeError(`Unhandled tool: ${JSON.stringify(call satisfies never)}`)
    }
  }

  private async saveSummary(markdown: string, snapshot: MeetingSnapshot): Promise<SummaryInfo> {
    const summary = parseSummary(markdown)
    const id = randomUUID()
    this.summaries.set(id, summary)
    if (this.summaries.size > 5) this.summaries.delete(this.summaries.keys().next().value!)
    const generatedAt = this.now()
    const counts = { decisions: summary.decisions.length, actionItems: summary.actionItems.length }
    try {
      const path = await this.deps.summaries.save({
        folder: meetingFolderName(snapshot.title, snapshot.startedAt),
        fileName: summaryFileName(generatedAt),
        markdown: renderSummaryMarkdown(summary, {
          title: snapshot.title,
          startedAt: snapshot.startedAt,
          generatedAt,
          participants: snapshot.participants.map((p) => p.name),
          model: this.deps.config().model,
        }),
      })
      this.deps.log.info('summary saved', counts)
      await this.saveTranscript(snapshot, generatedAt)
      return { id, path, ...counts }
    } catch (error) {
      this.deps.log.error('could not save the summary', { error: String(error) })
      return {
        id,
        path: null,
        saveError: 'The summary could not be saved to disk. Check free space and folder permissions.',
        ...counts,
      }
    }
  }

  /** The captions next to the summary, so the words behind it are kept. Best effort: the summary is saved. */
  private async saveTranscript(snapshot: MeetingSnapshot, generatedAt: number): Promise<void> {
    const entries = this.transcriptOf === snapshot.meetingId ? this.captions.entries : []
    if (entries.length === 0) return
    try {
      await this.deps.summaries.save({
        folder: meetingFolderName(snapshot.title, snapshot.startedAt),
        fileName: transcriptFileName(generatedAt),
        markdown: renderTranscriptMarkdown(entries, snapshot),
      })
      this.deps.log.info('transcript saved', { entries: entries.length })
    } catch (error) {
      this.deps.log.error('could not save the transcript', { error: String(error) })
    }
  }

  private remember(question: string, answer: string): void {
    this.history.push({ question, answer: answer.slice(0, 4000) })
    if (this.history.length > AI_LIMITS.historyTurns) this.history.shift()
  }

  private queueDelta(running: Running, text: string): void {
    running.pending += text
    if (running.flushScheduled) return
    running.flushScheduled = true
    // One event per event-loop turn: chunks parsed from the same network read go out together, with no delay.
    setImmediate(() => this.flush(running))
  }

  private flush(running: Running): void {
    running.flushScheduled = false
    if (running.pending === '') return
    const text = running.pending
    running.pending = ''
    this.emit('ai:delta', { requestId: running.request.requestId, text })
  }

  private emitState(): AiState {
    const state = this.state()
    this.emit('ai:state', state)
    return state
  }

  /** A broken listener or an event outside the contract is logged; it never stops the assistant. */
  private emit<K extends AiEvent>(channel: K, payload: PayloadOf<K>): void {
    try {
      this.deps.emit(channel, payload)
    } catch (error) {
      this.deps.log.error('could not send an assistant event', { channel, error: String(error) })
    }
  }
}
