import { dirname, join } from 'node:path'
import type { AppInfo, LogEntry } from '../../../shared/ipc/contract'
import { createLogger, RingBuffer, type Logger, type LogSink } from '../../../shared/log/logger'
import { Redactor } from '../../../shared/log/redact'
import { AI_DEFAULTS, type Notice, type SettingsView } from '../../../shared/settings/schema'
import { RecordingStatus, type CaptureSource } from '../../../shared/recording/schemas'
import { createCallsService, type CallsOverrides, type CallsService } from '../calls/createCallsService'
import { createDesktopServices, type DesktopServices } from '../desktop/createDesktopServices'
import type { DesktopPorts } from '../desktop/types'
import { AiService, type AiServiceDeps } from '../ai/AiService'
import { StandInMeetingContext, type MeetingContext } from '../ai/MeetingContext'
import { aiServerScope, unbindKeyFromOldServer } from '../ai/keyBinding'
import { RoomMeetingContext, type RoomPort } from '../ai/RoomMeetingContext'
import { createSummaryWriter } from '../ai/summaryFiles'
import { EventHub } from '../ipc/events'
import { createHandlers } from '../ipc/handlers'
import { createRouter, type Router } from '../ipc/router'
import { createRecordingService } from '../recording/createRecordingService'
import { RecordingCommands } from '../recording/RecordingCommands'
import { createRoomService, type Rooms } from '../room/createRoomService'
import type { RecordingService } from '../recording/RecordingService'
import { SettingsRepository } from '../settings/SettingsRepository'
import type { OpenDocumentStore } from '../storage/documentStore'
import type { SecretCipher } from '../vault/cipher'
import { Vault } from '../vault/Vault'

/**
 * What differs between the Electron app and the Node web-mode host. Everything else (vault, settings, handlers,
 * router) is the same code.
 */
export interface Platform {
  readonly info: AppInfo
  readonly openStore: OpenDocumentStore
  readonly pathOf: (name: 'settings' | 'secrets') => string
  readonly cipher: SecretCipher
  /** Open an already-validated https URL in the system browser; false where the shell cannot (web mode). */
  readonly openExternal: (url: string) => Promise<boolean>
  /** Extra log sinks (a file, the console). */
  readonly logSinks: readonly LogSink[]
  /** Recording (issue 8): where files go; `<data dir>/recordings` when omitted (web mode). */
  readonly recordingsDir?: string
  /** Show a file in the system file manager; absent where the shell cannot (web mode). */
  readonly revealInFolder?: (path: string) => Promise<boolean>
  /** Screens and windows from the desktop capturer; absent in web mode (the browser's picker is used). */
  readonly captureSources?: () => Promise<CaptureSource[]>
  /**
   * Calls API (issue 4): where requests go. Omitted in production (Settings + vault decide); tests point
   * `cloudflareApiBase` at a fake server or inject `resolveTarget` / `resolveTurn` and tuning.
   */
  readonly calls?: CallsOverrides
  /**
   * AI assistant (issue 9): where meeting notes (summaries) are saved. Documents/Convene in the app;
   * `<data dir>/meetings` when omitted (web mode).
   */
  readonly meetingFilesDir?: string
  /** AI assistant: timeouts and retry waits, for tests (e.g. a short first-token timeout). */
  readonly ai?: Pick<AiServiceDeps, 'timeouts' | 'retry' | 'sleep'>
  /** Desktop integration (issue 10): notifications, wake lock, badge, power, displays, updater, deep links. */
  readonly desktop?: DesktopPorts
}

export interface Services extends DesktopServices {
  readonly log: Logger
  readonly redactor: Redactor
  readonly logBuffer: RingBuffer<LogEntry>
  readonly events: EventHub
  readonly settings: SettingsRepository
  readonly vault: Vault
  readonly notices: Notice[]
  readonly router: Router
  readonly recordings: RecordingService
  /** Calls + TURN clients and the API history; `calls.setLocalSfu` registers the embedded SFU. */
  readonly calls: CallsService
  /** The assistant, captions and summaries; its meeting is `meetingContext`. */
  readonly ai: AiService
  /** STAND-IN until the meeting issue: replace with the room-backed context. */
  readonly meetingContext: MeetingContext
  /** Rooms (issue 6): the room connection; the embedded backend registers its hub with `rooms.setLocalHub`. */
  readonly rooms: Rooms
  view(): SettingsView
}

export async function createServices(platform: Platform): Promise<Services> {
  const redactor = new Redactor()
  const logBuffer = new RingBuffer<LogEntry>(2000)
  const log = createLogger('main', [(entry) => logBuffer.push(entry), ...platform.logSinks], redactor)
  const notices: Notice[] = []
  const settings = SettingsRepository.open(platform.openStore, platform.pathOf, notices)
  const vault = await Vault.open({
    openStore: platform.openStore,
    pathOf: platform.pathOf,
    cipher: platform.cipher,
    settings,
    redactor,
    log: log.child('vault'),
    notices,
  })
  for (const notice of notices) log.warn('startup notice', { id: notice.id, message: notice.message })
  if (!vault.storageInfo.secure) {
    notices.push({ id: 'storage-insecure', level: 'warning', message: vault.storageInfo.detail })
  }
  // A key saved before keys were bound to their server belongs to the server in effect when it was saved: now.
  // A key bound to another server (the settings file was changed while the app was closed) is removed.
  vault.bind('openaiApiKey', aiServerScope(settings.current))
  const keyScope = vault.scopeOf('openaiApiKey')
  if (keyScope !== undefined) {
    unbindKeyFromOldServer(
      { vault, notices, log: log.child('vault') },
      { ai: { ...settings.current.ai, baseUrl: keyScope } },
      settings.current,
    )
  }
  const events = new EventHub()
  const view = (): SettingsView => ({
    ...settings.current,
    secrets: vault.status(),
    storage: vault.storageInfo,
    notices: [...notices],
  })
  const rooms = createRoomService({
    log: log.child('room'),
    events,
    settings,
    vault,
    settingsPath: platform.pathOf('settings'),
  })
  // Consent follows the joined room (who may record, the flag everyone sees); the local rule outside a room.
  const recordings = createRecordingService({
    platform,
    log: log.child('recording'),
    events,
    displayName: () => settings.current.displayName,
    rooms: rooms.service,
  })
  const calls = createCallsService({
    log: log.child('calls'),
    redactor,
    settings,
    vault,
    ...(platform.calls ? { overrides: platform.calls } : {}),
  })
  // The room service is built below; the assistant reads it lazily (outside a room: a meeting of one).
  let roomPort: RoomPort | undefined = undefined
  const standIn = new StandInMeetingContext(() => settings.current.displayName)
  // The assistant records through the meeting screen, which composes the picture (after the user confirmed).
  const recordingCommands = new RecordingCommands({
    room: () => rooms.service.state().view?.room ?? null,
    roomState: (room) => recordings.roomState(room),
    send: (command) => events.emit('recording:command', { command }),
    onStatus: (listener) =>
      events.attach((channel, payload) => {
        if (channel !== 'recording:status') return
        const status = RecordingStatus.safeParse(payload)
        if (status.success) listener(status.data)
      }),
  })
  const meetingContext: MeetingContext = new RoomMeetingContext(() => roomPort, {
    snapshot: () => standIn.snapshot(),
    postChat: (text) => standIn.postChat(text),
    announce: (activity) => standIn.announce(activity),
    startRecording: () => recordingCommands.start(),
    stopRecording: () => recordingCommands.stop(),
  })
  const ai = new AiService({
    log: log.child('ai'),
    emit: (channel, payload) => events.emit(channel, payload),
    config: () => ({
      // Only the key saved for the server in effect now (see ai/keyBinding.ts).
      apiKey: vault.get('openaiApiKey', aiServerScope(settings.current)),
      baseURL: settings.current.ai.baseUrl || AI_DEFAULTS.baseUrl,
      model: settings.current.ai.model,
      transcriptionModel: settings.current.ai.transcriptionModel,
    }),
    meeting: meetingContext,
    summaries: createSummaryWriter(
      platform.meetingFilesDir ?? join(dirname(platform.pathOf('settings')), 'meetings'),
    ),
    ...platform.ai,
  })
  roomPort = rooms.service
  const desktopServices = createDesktopServices({ ports: platform.desktop ?? null, events, log, notices })
  const services = {
    ...desktopServices,
    log,
    redactor,
    logBuffer,
    events,
    settings,
    vault,
    notices,
    view,
    recordings,
    calls,
    ai,
    meetingContext,
    rooms,
  }
  const router = createRouter(createHandlers(services, platform), { log: log.child('ipc') })
  log.info('services ready', { shell: platform.info.shell, storage: vault.storageInfo.backend })
  return { ...services, router }
}
