import { z } from 'zod'
import { OpenRoomRequest } from '../desktop/deepLink'
import {
  DesktopNotification,
  MeetingState,
  NotificationClick,
  PowerAction,
  UpdateStatus,
} from '../desktop/schemas'
import {
  ApiHistory,
  CloseTracksCall,
  CloseTracksResult,
  DataChannelsCall,
  DataChannelsResult,
  EstablishDataChannelsCall,
  EstablishDataChannelsResult,
  GetApiHistoryCall,
  GetIceServersCall,
  GetSessionCall,
  IceServersResult,
  NewSessionCall,
  NewSessionResult,
  NewTracksCall,
  RenegotiateCall,
  RenegotiateResult,
  SessionState,
  TracksResult,
  UpdateTracksCall,
  UpdateTracksResult,
} from '../calls/ipc'
import { Notice, SecretName, SettingsPatch, SettingsView } from '../settings/schema'
import {
  ChatStatusEvent,
  DirectMessage,
  HostAction,
  JoinRoomRequest,
  JoinRoomResponse,
  RoomClientState,
  RoomDeltaEvent,
  RoomSignal,
  RoomStatusEvent,
  RoomView,
  SendChatRequest,
  TrackDirectory,
} from '../room/ipc'
import { ParticipantActivity, WireId } from '../room/protocol'
import {
  AiDelta,
  AiDone,
  AiErrorEvent,
  AiState,
  AiStatus,
  AskRequest,
  RequestId,
  ResolveActionRequest,
  ResolveActionResponse,
  SetEnabledRequest,
  TranscribeChunk,
  TranscriptEntry,
} from '../ai/schemas'
import {
  CaptureSource,
  RecordingEntry,
  RecordingFileName,
  RecordingId,
  RecordingLinks,
  RecordingRoom,
  RecordingStatus,
  RoomRecordingState,
  StartRecordingRequest,
  StartRecordingResponse,
} from '../recording/schemas'

/**
 * The IPC contract: every channel between the renderer and main, declared once.
 *
 * - `invoke` channels: the renderer calls, main answers with a `Result` of `response`.
 * - `event` channels: main pushes `payload` to the renderer.
 *
 * Channel names are `namespace:method`; the preload exposes each as `window.convene.namespace.method` (events as
 * `window.convene.namespace.onMethod(cb)`). Adding a capability is one entry here plus one handler in main.
 */
export interface InvokeChannel<Req extends z.ZodType = z.ZodType, Res extends z.ZodType = z.ZodType> {
  readonly kind: 'invoke'
  readonly request: Req
  readonly response: Res
  /** Upper bound for the caller's wait, in milliseconds. */
  readonly timeoutMs: number
}

export interface EventChannel<P extends z.ZodType = z.ZodType> {
  readonly kind: 'event'
  readonly payload: P
}

function invoke<Req extends z.ZodType, Res extends z.ZodType>(
  request: Req,
  response: Res,
  timeoutMs = 10_000,
): InvokeChannel<Req, Res> {
  return { kind: 'invoke', request, response, timeoutMs }
}

function event<P extends z.ZodType>(payload: P): EventChannel<P> {
  return { kind: 'event', payload }
}

const Empty = z.object({}).strict()

export const AppInfo = z.object({
  name: z.string(),
  version: z.string(),
  platform: z.string(),
  /** `electron` in the desktop app, `web` in a browser served by the web-mode host. */
  shell: z.enum(['electron', 'web']),
})
export type AppInfo = z.infer<typeof AppInfo>

export const LogEntry = z.object({
  time: z.number(),
  level: z.enum(['debug', 'info', 'warn', 'error']),
  scope: z.string(),
  message: z.string(),
  data: z.record(z.string(), z.unknown()).optional(),
})
export type LogEntry = z.infer<typeof LogEntry>

/** Calls channels wait longer than the client's 15 s deadline (queue + rate limit + retries). */
const CALLS_TIMEOUT_MS = 20_000

export const contract = {
  'app:getInfo': invoke(Empty, AppInfo),

  'settings:get': invoke(Empty, SettingsView),
  'settings:update': invoke(z.object({ patch: SettingsPatch }).strict(), SettingsView),
  'settings:dismissNotice': invoke(z.object({ id: Notice.shape.id }).strict(), SettingsView),
  'settings:changed': event(SettingsView),

  /**
   * Store a secret in the vault. The value travels renderer → main once and never back. When the OS has no
   * secret store, the call fails with `insecure_storage` unless `acceptInsecureStorage` is true.
   */
  'vault:setSecret': invoke(
    z
      .object({
        name: SecretName,
        value: z.string().trim().min(1).max(4096),
        acceptInsecureStorage: z.boolean().optional(),
      })
      .strict(),
    SettingsView,
  ),
  'vault:clearSecret': invoke(z.object({ name: SecretName }).strict(), SettingsView),

  /** Open an https link in the system browser (chat links, help pages). Other schemes are refused. */
  'shell:openExternal': invoke(
    z.object({ url: z.string().max(4096) }).strict(),
    z.object({ opened: z.boolean() }),
  ),

  /** Recent log lines, secrets already redacted, for the diagnostics view. */
  'diagnostics:getLog': invoke(
    z.object({ limit: z.number().int().min(1).max(5000) }).strict(),
    z.object({ entries: z.array(LogEntry) }),
  ),

  // ── AI assistant (issue 9): main holds the OpenAI key; the panel sees only answers and `configured`. ──
  'ai:getState': invoke(Empty, AiState),
  /** Turn the assistant or captions on or off. Everyone in the meeting is told while either is on. */
  'ai:setEnabled': invoke(SetEnabledRequest, AiState),
  /** Start an answer; it streams as `ai:delta` and ends with `ai:done` or `ai:error` for the same requestId. */
  'ai:ask': invoke(AskRequest, z.object({ requestId: RequestId })),
  /** Stop an answer (aborts the request to the AI server). False when it had already ended. */
  'ai:cancel': invoke(z.object({ requestId: RequestId }).strict(), z.object({ cancelled: z.boolean() })),
  /** Caption one participant's audio chunk. Null when the chunk held no speech. */
  'ai:transcribeChunk': invoke(TranscribeChunk, z.object({ entry: TranscriptEntry.nullable() }), 60_000),
  'ai:getTranscript': invoke(
    z.object({ limit: z.number().int().min(1).max(2000) }).strict(),
    z.object({ entries: z.array(TranscriptEntry) }),
  ),
  /** Run (confirm) or drop (dismiss) an action the model proposed. Nothing runs without this call. */
  'ai:resolveAction': invoke(ResolveActionRequest, ResolveActionResponse, 30_000),
  /** Post a saved summary into the meeting chat. */
  'ai:postSummary': invoke(
    z.object({ summaryId: z.string().min(1).max(64) }).strict(),
    z.object({ posted: z.literal(true) }),
    30_000,
  ),
  'ai:delta': event(AiDelta),
  'ai:status': event(AiStatus),
  'ai:done': event(AiDone),
  'ai:error': event(AiErrorEvent),
  'ai:caption': event(TranscriptEntry),
  'ai:state': event(AiState),

  // ── Recording (issue 8): the renderer captures and encodes; main writes, finalises and lists the files. ──
  /** Start recording a room. Chunks then flow over the recording stream for `id` (socket or MessagePort). */
  'recording:start': invoke(StartRecordingRequest, StartRecordingResponse),
  'recording:pause': invoke(z.object({ id: RecordingId }).strict(), RecordingStatus),
  'recording:resume': invoke(z.object({ id: RecordingId }).strict(), RecordingStatus),
  /**
   * Stop and finalise (duration, seek index); resolves with the finished file once it is playable, or a null
   * entry when nothing was recorded (the empty file is removed).
   */
  'recording:stop': invoke(
    z.object({ id: RecordingId, reason: z.enum(['user', 'meeting_ended']).optional() }).strict(),
    z.object({ entry: RecordingEntry.nullable() }),
    60_000,
  ),
  'recording:list': invoke(
    Empty,
    z.object({ folder: z.string().max(4096), entries: z.array(RecordingEntry).max(500) }),
  ),
  'recording:delete': invoke(
    z.object({ name: RecordingFileName }).strict(),
    z.object({ deleted: z.literal(true) }),
  ),
  /** Show the file in the system file manager; false where the shell cannot (web mode). */
  'recording:reveal': invoke(
    z.object({ name: RecordingFileName }).strict(),
    z.object({ revealed: z.boolean() }),
  ),
  /** Short-lived URLs to play or download a recording (web mode), or nulls. */
  'recording:getLinks': invoke(z.object({ name: RecordingFileName }).strict(), RecordingLinks),
  'recording:getRoomState': invoke(z.object({ room: RecordingRoom }).strict(), RoomRecordingState),
  /** Host only: allow or forbid other participants to record. */
  'recording:setAllowOthers': invoke(
    z.object({ room: RecordingRoom, allow: z.boolean() }).strict(),
    RoomRecordingState,
  ),
  /** Screens and windows to record (desktop shell); `supported: false` in web mode (use getDisplayMedia). */
  'recording:listSources': invoke(
    Empty,
    z.object({ supported: z.boolean(), sources: z.array(CaptureSource).max(100) }),
    20_000,
  ),
  /** Choose the source the next display-capture request gets. */
  'recording:selectSource': invoke(
    z.object({ id: CaptureSource.shape.id }).strict(),
    z.object({ selected: z.boolean() }),
  ),
  'recording:status': event(RecordingStatus),
  'recording:roomState': event(RoomRecordingState),
  'recording:listChanged': event(z.object({})),
  /** Main asks the meeting screen to start or stop recording (the assistant's confirmed tool call). */
  'recording:command': event(z.object({ command: z.enum(['start', 'stop']) }).strict()),
  // ── Calls API (issue 4): the renderer's SDP goes through main, which adds the credential and talks to the
  // selected backend. Per-item failures come back in `failures` when the reply still needs applying (it has a
  // session description, or some items succeeded); otherwise as a `track_error`. The client's deadline (15 s)
  // stays below these timeouts so the renderer hears the real outcome.
  'calls:newSession': invoke(NewSessionCall, NewSessionResult, CALLS_TIMEOUT_MS),
  'calls:newTracks': invoke(NewTracksCall, TracksResult, CALLS_TIMEOUT_MS),
  'calls:renegotiate': invoke(RenegotiateCall, RenegotiateResult, CALLS_TIMEOUT_MS),
  'calls:closeTracks': invoke(CloseTracksCall, CloseTracksResult, CALLS_TIMEOUT_MS),
  'calls:updateTracks': invoke(UpdateTracksCall, UpdateTracksResult, CALLS_TIMEOUT_MS),
  'calls:getSession': invoke(GetSessionCall, SessionState, CALLS_TIMEOUT_MS),
  'calls:establishDataChannels': invoke(
    EstablishDataChannelsCall,
    EstablishDataChannelsResult,
    CALLS_TIMEOUT_MS,
  ),
  'calls:newDataChannels': invoke(DataChannelsCall, DataChannelsResult, CALLS_TIMEOUT_MS),
  'calls:updateDataChannels': invoke(DataChannelsCall, DataChannelsResult, CALLS_TIMEOUT_MS),
  'calls:closeDataChannels': invoke(DataChannelsCall, DataChannelsResult, CALLS_TIMEOUT_MS),
  /**
   * ICE servers for the RTCPeerConnection, port-53 URLs dropped. TURN usernames/credentials are short-lived and
   * must reach the browser; the TURN API token never does. Ask again at `refreshAt` and `setConfiguration`.
   */
  'turn:getIceServers': invoke(GetIceServersCall, IceServersResult, CALLS_TIMEOUT_MS),
  /** Recent Calls/TURN exchanges (no headers, secrets masked, long SDP cut) for the diagnostics view and export. */
  'diagnostics:getApiHistory': invoke(GetApiHistoryCall, ApiHistory),
  // ── Desktop integration (issue 10): deep links, auto-update, OS habits. Web mode answers with no-ops. ──
  /** A link the OS opened (`convene://join/<room>`, an https join link). It only shows the lobby: never joins. */
  'app:openRoom': event(OpenRoomRequest),
  /** The link waiting since before the renderer listened (first launch, macOS open-url), once; null if none. */
  'app:takeOpenRoom': invoke(Empty, z.object({ request: OpenRoomRequest.nullable() })),
  'updates:getStatus': invoke(Empty, UpdateStatus),
  /** Check now (also with automatic updates off); a found update downloads unless a meeting is on. */
  'updates:check': invoke(Empty, UpdateStatus),
  /** Restart into the downloaded update. Refused (`forbidden`) during a meeting or with nothing downloaded. */
  'updates:install': invoke(Empty, UpdateStatus),
  'updates:setAutoUpdate': invoke(z.object({ enabled: z.boolean() }).strict(), UpdateStatus),
  'updates:status': event(UpdateStatus),
  /** The meeting UI joined or left: keeps the display awake, holds update downloads and installs. */
  'desktop:setMeetingState': invoke(MeetingState, z.object({})),
  /** Unread chat messages for the dock or taskbar badge; 0 clears it. */
  'desktop:setUnreadCount': invoke(
    z.object({ count: z.number().int().min(0).max(100_000) }).strict(),
    z.object({}),
  ),
  /** An OS notification for chat or a join request; shown only while the window is hidden or unfocused. */
  'desktop:notify': invoke(DesktopNotification, z.object({ shown: z.boolean() })),
  'desktop:notificationClicked': event(NotificationClick),
  /** The OS is suspending, shutting down or locking: leave or mute now. Nothing ever resumes by itself. */
  'desktop:powerAction': event(PowerAction),
  // ── Rooms (issue 6): main holds the room socket, the join token and the resume secret; the renderer gets the
  // room view and typed events. Chat is queued in a persisted outbox and acknowledged by `room:chatStatus`. ──
  /** Connect and join; resolves when admitted (or placed in the waiting room). Leaves any room joined before. */
  'room:join': invoke(JoinRoomRequest, JoinRoomResponse, 20_000),
  /** Leave for good (unsent chat gets up to 2 s to go out first). */
  'room:leave': invoke(Empty, z.object({ left: z.boolean() })),
  'room:getState': invoke(Empty, RoomClientState),
  /** Queue a chat message (a direct message with `to`); returns its id at once, `room:chatStatus` follows. */
  'room:sendChat': invoke(SendChatRequest, z.object({ id: WireId })),
  /** Mute, stop video, remove, lock, waiting room, admit/deny, roles, recording flag, end. */
  'room:hostAction': invoke(z.object({ action: HostAction }).strict(), z.object({})),
  'room:setHand': invoke(z.object({ raised: z.boolean() }).strict(), z.object({})),
  /** Tell the room what this participant runs (recording, captions, assistant), so everyone sees it. */
  'room:setActivity': invoke(z.object({ activity: ParticipantActivity.partial() }).strict(), z.object({})),
  'room:react': invoke(z.object({ emoji: z.string().min(1).max(16) }).strict(), z.object({})),
  /** Publish our Calls session and tracks to the room's track directory (null withdraws them). */
  'room:publishTracks': invoke(z.object({ directory: TrackDirectory.nullable() }).strict(), z.object({})),
  'room:status': event(RoomStatusEvent),
  /** The whole room view (after joining, a resume or a resync). */
  'room:view': event(RoomView),
  /** One change; apply it with `applyChange` from shared/room/view. */
  'room:delta': event(RoomDeltaEvent),
  'room:dm': event(DirectMessage),
  'room:chatStatus': event(ChatStatusEvent),
  /** Reactions, and host orders this client must obey (mute, stop video). */
  'room:signal': event(RoomSignal),
} as const

export type Contract = typeof contract
export type ChannelName = keyof Contract
export type InvokeName = { [K in ChannelName]: Contract[K] extends InvokeChannel ? K : never }[ChannelName]
export type EventName = { [K in ChannelName]: Contract[K] extends EventChannel ? K : never }[ChannelName]

export type RequestOf<K extends InvokeName> = z.input<Contract[K]['request']>
export type ParsedRequestOf<K extends InvokeName> = z.output<Contract[K]['request']>
export type ResponseOf<K extends InvokeName> = z.output<Contract[K]['response']>
export type PayloadOf<K extends EventName> = z.output<Contract[K]['payload']>

export const invokeNames = Object.keys(contract).filter(
  (k): k is InvokeName => contract[k as ChannelName].kind === 'invoke',
)
export const eventNames = Object.keys(contract).filter(
  (k): k is EventName => contract[k as ChannelName].kind === 'event',
)

export function isChannelName(name: unknown): name is ChannelName {
  return typeof name === 'string' && Object.hasOwn(contract, name)
}

/** `settings:update` → `['settings', 'update']`; events get an `on` prefix: `settings:changed` → `onChanged`. */
export function apiPath(name: ChannelName): readonly [string, string] {
  const [ns, method] = name.split(':') as [string, string]
  return contract[name].kind === 'event'
    ? [ns, `on${method[0]!.toUpperCase()}${method.slice(1)}`]
    : [ns, method]
}
