import { randomBytes } from 'node:crypto'
import { mkdir, unlink } from 'node:fs/promises'
import { join } from 'node:path'
import { AppError } from '../../../shared/errors/AppError'
import type { Logger } from '../../../shared/log/logger'
import type {
  ActiveRecordingState,
  RecordingEntry,
  RecordingLinks,
  RecordingStatus,
  RoomRecordingState,
  StartRecordingRequest,
  StopReason,
} from '../../../shared/recording/schemas'
import { RECORDING_MAX_CHUNK } from '../../../shared/recording/stream'
import type { ChunkConnection } from './ChunkConnection'
import { DEFAULT_DISK_THRESHOLDS, formatBytes, freeBytesAt, type DiskThresholds } from './diskSpace'
import { recordingFileName } from './fileNames'
import type { RecordingGate, RecordingRevoke } from './RecordingGate'
import { RecordingLibrary } from './RecordingLibrary'
import { WebmFileWriter } from './WebmFileWriter'

export interface RecordingServiceOptions {
  /** Where files go: `Videos/Convene` in the desktop app, `<data dir>/recordings` in web mode. */
  readonly folder: string
  readonly log: Logger
  readonly gate: RecordingGate
  readonly displayName: () => string
  readonly onStatus: (status: RecordingStatus) => void
  readonly onListChanged: () => void
  readonly freeBytes?: (dir: string) => Promise<number | null>
  readonly thresholds?: DiskThresholds
  /** How often free space is checked while writing. */
  readonly diskCheckIntervalMs?: number
  /** How long to wait for the chunk stream to connect after start, and for its end after stop. */
  readonly streamWaitMs?: number
  readonly revealInFolder?: (path: string) => Promise<boolean>
  readonly now?: () => number
}

interface Session {
  readonly id: string
  readonly name: string
  readonly path: string
  readonly room: string
  readonly writer: WebmFileWriter
  state: ActiveRecordingState
  conn: ChunkConnection | null
  freeBytes: number | null
  lastDiskCheck: number
  lastProgress: number
  streamEnded: Promise<void>
  endStream: () => void
  waitTimer: ReturnType<typeof setTimeout> | undefined
  /** The room revoked the recording: the renderer was asked to stop; main finishes alone if it does not. */
  revoked: RecordingRevoke | null
  revokeTimer: ReturnType<typeof setTimeout> | undefined
  finishing: Promise<RecordingEntry | null> | null
}

/**
 * Main's side of recording: one active recording at a time, its file, its chunk stream, the room flag, the
 * disk-space guard, and the recordings folder. The renderer owns capture and encoding; this owns the bytes.
 */
export class RecordingService {
  private active: Session | null = null
  /** A start is between its checks and its file (so a second start cannot slip in). */
  private starting = false
  /** Recently finished sessions, so a late `stop` (after main stopped on its own) still gets the entry. */
  private readonly finished = new Map<string, RecordingEntry | null>()
  private readonly freeBytes: (dir: string) => Promise<number | null>
  private readonly thresholds: DiskThresholds
  private readonly now: () => number
  private linkProvider: ((name: string) => RecordingLinks) | null = null
  private selectedSource: { id: string; at: number } | null = null
  readonly library: RecordingLibrary

  constructor(private readonly options: RecordingServiceOptions) {
    this.freeBytes = options.freeBytes ?? freeBytesAt
    this.thresholds = options.thresholds ?? DEFAULT_DISK_THRESHOLDS
    this.now = options.now ?? Date.now
    this.library = new RecordingLibrary(options.folder, options.log, () =>
      this.active ? this.active.name : null,
    )
    void this.library.repairUnfinished()
    options.gate.onRevoke((revoke) => this.onRevoke(revoke))
  }

  get folder(): string {
    return this.options.folder
  }

  /** True while a recording is being written (the app should finalise it before quitting). */
  get isRecording(): boolean {
    return this.active !== null
  }

  /** Start a recording: checks consent and disk space, creates the file, raises the room flag. */
  async start(request: StartRecordingRequest): Promise<{ id: string; name: string; folder: string }> {
    if (this.active || this.starting) {
      throw AppError.invalidRequest('A recording is already running. Stop it before starting another.')
    }
    const permission = this.options.gate.canRecord(request.room)
    if (!permission.allowed) throw AppError.forbidden(permission.reason)
    this.starting = true
    try {
      return await this.startChecked(request)
    } finally {
      this.starting = false
    }
  }

  private async startChecked(
    request: StartRecordingRequest,
  ): Promise<{ id: string; name: string; folder: string }> {
    const folder = this.options.folder
    await mkdir(folder, { recursive: true, mode: 0o700 })
    const free = await this.freeBytes(folder)
    if (free !== null && free < this.thresholds.minFreeToStart) {
      throw new AppError({
        code: 'storage_unavailable',
        message: `Only ${formatBytes(free)} free where recordings are saved (${folder}). Free up at least ${formatBytes(
          this.thresholds.minFreeToStart,
        )} to record.`,
        retryable: true,
      })
    }
    // Everyone is told before a single frame is written; the room may still refuse (the host just forbade it).
    await this.options.gate.setRecordingFlag(request.room, {
      byName: this.options.displayName(),
      paused: false,
    })
    let file: { writer: WebmFileWriter; name: string }
    try {
      file = await this.createFile(request.room)
    } catch (error) {
      this.clearFlag(request.room)
      throw error
    }
    const { writer, name } = file
    const id = randomBytes(16).toString('base64url')
    let endStream = (): void => undefined
    const streamEnded = new Promise<void>((resolve) => (endStream = resolve))
    const session: Session = {
      id,
      name,
      path: writer.path,
      room: request.room,
      writer,
      state: 'waiting',
      conn: null,
      freeBytes: free,
      lastDiskCheck: this.now(),
      lastProgress: 0,
      streamEnded,
      endStream,
      waitTimer: undefined,
      revoked: null,
      revokeTimer: undefined,
      finishing: null,
    }
    this.active = session
    session.waitTimer = setTimeout(() => {
      if (session.state === 'waiting')
        void this.finish(session, 'stream_lost', 'The recorder never connected.')
    }, this.streamWait)
    this.options.log.info('recording started', {
      id,
      name,
      source: request.source,
      mimeType: request.mimeType,
    })
    this.emitStatus(session)
    this.options.onListChanged()
    return { id, name, folder }
  }

  /** Connect the renderer's chunk stream to the recording it started. Refuses unknown or taken ids. */
  attachStream(id: string, conn: ChunkConnection): void {
    const session = this.active
    if (!session || session.id !== id || session.conn || session.state !== 'waiting') {
      conn.send({ t: 'error', code: 'not_found', message: 'No recording is waiting for this stream.' })
      conn.close()
      return
    }
    clearTimeout(session.waitTimer)
    session.conn = conn
    session.state = 'recording'
    this.emitStatus(session)
    conn.listen({
      chunk: (bytes) => this.onChunk(session, bytes),
      end: () => session.endStream(),
      close: () => {
        session.endStream()
        if (!session.finishing) {
          void this.finish(session, 'stream_lost', 'The recorder disconnected; what it sent is saved.')
        }
      },
    })
  }

  pause(id: string): RecordingStatus {
    return this.setPaused(id, true)
  }

  resume(id: string): RecordingStatus {
    return this.setPaused(id, false)
  }

  /**
   * Stop and finalise. Waits (bounded) for the renderer's last chunk, then writes duration and seek
   * information. Resolves with the finished file's entry (also after main already stopped on its own), or null
   * when nothing was recorded.
   */
  async stop(id: string, reason: StopReason = 'user'): Promise<RecordingEntry | null> {
    if (this.finished.has(id)) return this.finished.get(id) ?? null
    const session = this.active
    if (!session || session.id !== id)
      throw new AppError({ code: 'not_found', message: 'That recording is not running.', retryable: false })
    if (!session.finishing && session.conn) {
      let timer: ReturnType<typeof setTimeout> | undefined
      const timedOut = await Promise.race([
        session.streamEnded.then(() => false),
        new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), this.streamWait))),
      ])
      clearTimeout(timer)
      if (timedOut) this.options.log.warn('recorder did not finish its stream in time', { id })
    }
    // A recording the room revoked ends for that reason, whatever the renderer calls it.
    return this.finish(session, session.revoked?.reason ?? reason)
  }

  /** Finalise whatever is running (app quitting, meeting over). */
  async stopAll(reason: StopReason = 'meeting_ended'): Promise<void> {
    if (this.active) await this.finish(this.active, reason).catch(() => undefined)
  }

  roomState(room: string): RoomRecordingState {
    return this.options.gate.state(room)
  }

  async setAllowOthers(room: string, allow: boolean): Promise<RoomRecordingState> {
    await this.options.gate.setAllowOthers(room, allow)
    return this.options.gate.state(room)
  }

  /** Web mode installs one that signs short-lived URLs; the desktop shell one for its protocol. */
  setLinkProvider(provider: ((name: string) => RecordingLinks) | null): void {
    this.linkProvider = provider
  }

  async links(name: string): Promise<RecordingLinks> {
    await this.library.pathOf(name)
    return this.linkProvider?.(name) ?? { play: null, download: null }
  }

  async reveal(name: string): Promise<boolean> {
    const path = await this.library.pathOf(name)
    return (await this.options.revealInFolder?.(path)) ?? false
  }

  async remove(name: string): Promise<void> {
    await this.library.remove(name)
    this.options.onListChanged()
  }

  /** Remember the screen or window the user picked for the next display-capture request (desktop shell). */
  selectSource(id: string): boolean {
    this.selectedSource = { id, at: this.now() }
    return true
  }

  /**
   * The picked source, once: the desktop shell's display-media handler calls this when the renderer asks for
   * a capture. A pick older than 30 s is stale (the user moved on) and is not used.
   */
  takeSelectedSource(): string | null {
    const picked = this.selectedSource
    this.selectedSource = null
    return picked && this.now() - picked.at <= 30_000 ? picked.id : null
  }

  private get streamWait(): number {
    return this.options.streamWaitMs ?? 15_000
  }

  private async createFile(room: string): Promise<{ writer: WebmFileWriter; name: string }> {
    const at = new Date(this.now())
    for (let attempt = 1; ; attempt++) {
      const name = recordingFileName(room, at, attempt)
      try {
        const writer = await WebmFileWriter.create(join(this.options.folder, name), {
          log: this.options.log,
          now: this.now,
        })
        return { writer, name }
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt >= 50) throw error
      }
    }
  }

  private setPaused(id: string, paused: boolean): RecordingStatus {
    const session = this.active
    if (!session || session.id !== id || session.finishing) {
      throw new AppError({ code: 'not_found', message: 'That recording is not running.', retryable: false })
    }
    if (session.state === 'recording' || session.state === 'paused') {
      session.state = paused ? 'paused' : 'recording'
      this.options.gate
        .setRecordingFlag(session.room, { byName: this.options.displayName(), paused })
        .catch((error: unknown) =>
          // The gate re-sends what it wants once the room is reachable again.
          this.options.log.warn('could not tell the room about the pause', { error: String(error) }),
        )
      this.options.log.info(paused ? 'recording paused' : 'recording resumed', { id })
    }
    return this.emitStatus(session)
  }

  private onChunk(session: Session, bytes: Uint8Array): void {
    if (session.finishing) return
    if (bytes.length > RECORDING_MAX_CHUNK) {
      void this.finish(session, 'error', 'The recorder sent a chunk larger than allowed.')
      return
    }
    session.writer.append(bytes).then(
      () => void this.afterWrite(session),
      (error: unknown) => {
        const full = (error as NodeJS.ErrnoException).code === 'ENOSPC'
        this.options.log.error('could not write the recording', { error: String(error) })
        void this.finish(
          session,
          full ? 'disk_low' : 'error',
          full
            ? 'The disk is full. The recording was stopped and what was recorded is saved.'
            : 'Writing the recording failed. What was recorded so far is saved.',
        )
      },
    )
  }

  private async afterWrite(session: Session): Promise<void> {
    session.conn?.send({
      t: 'ack',
      bytes: session.writer.bytesWritten,
      durationMs: session.writer.durationMs,
    })
    if (session.finishing) return
    const now = this.now()
    if (now - session.lastDiskCheck >= (this.options.diskCheckIntervalMs ?? 5000)) {
      session.lastDiskCheck = now
      session.freeBytes = await this.freeBytes(this.options.folder)
      if (session.freeBytes !== null && session.freeBytes < this.thresholds.stopBelow && !session.finishing) {
        this.options.log.warn('stopping the recording: disk space is low', { free: session.freeBytes })
        void this.finish(
          session,
          'disk_low',
          `Recording stopped: only ${formatBytes(session.freeBytes)} of disk space left. What was recorded is saved.`,
        )
        return
      }
    }
    if (now - session.lastProgress >= 1000) {
      session.lastProgress = now
      this.emitStatus(session)
    }
  }

  private finish(session: Session, reason: StopReason, message?: string): Promise<RecordingEntry | null> {
    session.finishing ??= (async () => {
      clearTimeout(session.waitTimer)
      clearTimeout(session.revokeTimer)
      session.state = 'finishing'
      message ??= session.revoked?.reason === reason ? session.revoked.message : undefined
      this.emitStatus(session)
      if (reason !== 'user' && reason !== 'meeting_ended' && !session.revoked) {
        session.conn?.send({ t: 'stopped', reason, message: message ?? 'The recording was stopped.' })
      }
      try {
        const result = await session.writer.finalize()
        this.options.log.info('recording saved', {
          id: session.id,
          reason,
          bytes: result.bytes,
          durationMs: Math.round(result.durationMs),
          seekable: result.seekable,
        })
      } catch (error) {
        // The bytes already written stay on disk and play; the next start repairs what finalise missed.
        this.options.log.error('could not finalise the recording', { id: session.id, error: String(error) })
      }
      session.conn?.close()
      if (this.active === session) this.active = null
      this.clearFlag(session.room)
      let entry: RecordingEntry | null = null
      if (session.writer.bytesWritten === 0) {
        // Nothing arrived (the recorder failed to start): an empty file would only clutter the list.
        await unlink(session.path).catch(() => undefined)
      } else {
        entry = await this.library.entry(session.name).catch(() => fallbackEntry(session.name))
      }
      session.state = 'stopped'
      this.finished.set(session.id, entry)
      if (this.finished.size > 20) this.finished.delete(this.finished.keys().next().value!)
      this.emitStatus(session, { reason, ...(entry ? { entry } : {}), ...(message ? { message } : {}) })
      this.options.onListChanged()
      return entry
    })()
    return session.finishing
  }

  /**
   * The room no longer lets this participant record (a host's order, or we left the meeting). Ask the renderer
   * to stop, so its last chunk reaches the file, and finish alone if it does not within the stream wait.
   */
  private onRevoke(revoke: RecordingRevoke): void {
    const session = this.active
    if (!session || session.room !== revoke.room || session.finishing || session.revoked) return
    session.revoked = revoke
    this.options.log.info("stopping the recording at the room's request", { reason: revoke.reason })
    if (!session.conn) {
      void this.finish(session, revoke.reason, revoke.message)
      return
    }
    session.conn.send({ t: 'stopped', reason: revoke.reason, message: revoke.message })
    session.revokeTimer = setTimeout(
      () => void this.finish(session, revoke.reason, revoke.message),
      this.streamWait,
    )
  }

  private clearFlag(room: string): void {
    this.options.gate
      .setRecordingFlag(room, null)
      .catch((error: unknown) =>
        this.options.log.warn('could not clear the recording flag in the room', { error: String(error) }),
      )
  }

  private emitStatus(session: Session, extra: Partial<RecordingStatus> = {}): RecordingStatus {
    const status: RecordingStatus = {
      id: session.id,
      name: session.name,
      room: session.room,
      state: session.state,
      bytes: session.writer.bytesWritten,
      durationMs: session.writer.durationMs,
      freeBytes: session.freeBytes,
      ...extra,
    }
    this.options.onStatus(status)
    return status
  }
}

function fallbackEntry(name: string): RecordingEntry {
  return {
    name,
    bytes: 0,
    modifiedAt: Date.now(),
    durationMs: null,
    width: null,
    height: null,
    status: 'unfinished',
  }
}
