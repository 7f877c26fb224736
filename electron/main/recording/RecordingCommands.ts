import { AppError } from '../../../shared/errors/AppError'
import type { RecordingStatus, RoomRecordingState } from '../../../shared/recording/schemas'

/** What main needs to have the meeting screen start or stop recording (the recorder lives in the renderer). */
export interface RecordingCommandPort {
  /** The room of the meeting this app is in, or null. */
  room(): string | null
  roomState(room: string): RoomRecordingState
  /** Ask the meeting screen to start or stop recording the meeting (`recording:command`). */
  send(command: 'start' | 'stop'): void
  /** Every status of this app's own recordings (`recording:status`). Returns a disposer. */
  onStatus(listener: (status: RecordingStatus) => void): () => void
}

/**
 * Recording on someone else's word (the assistant, after the user confirmed its tool call). Main cannot record
 * by itself: the meeting's picture is composed in the renderer. So it checks consent here, asks the meeting
 * screen, and settles when the recorder reports back (or says why it could not), within `timeoutMs`.
 */
export class RecordingCommands {
  constructor(
    private readonly port: RecordingCommandPort,
    private readonly timeoutMs = 10_000,
  ) {}

  async start(): Promise<void> {
    const room = this.port.room()
    if (room === null) throw AppError.invalidRequest('Join a meeting to record it.')
    const state = this.port.roomState(room)
    if (state.active && state.byMe) return
    if (!state.canRecord)
      throw AppError.forbidden(state.reason ?? 'Recording this meeting is not allowed right now.')
    await this.command('start', room, (s) => s.state === 'recording')
  }

  async stop(): Promise<void> {
    const room = this.port.room()
    const state = room === null ? null : this.port.roomState(room)
    if (room === null || !state?.active || !state.byMe)
      throw AppError.invalidRequest('You are not recording this meeting.')
    await this.command('stop', room, (s) => s.state === 'stopped')
  }

  private command(
    command: 'start' | 'stop',
    room: string,
    done: (status: RecordingStatus) => boolean,
  ): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const finish = (error?: AppError): void => {
        clearTimeout(timer)
        off()
        if (error) reject(error)
        else resolve()
      }
      const off = this.port.onStatus((status) => {
        if (status.room !== room) return
        if (done(status)) finish()
        else if (status.state === 'stopped' && command === 'start')
          finish(
            new AppError({
              code: 'closed',
              message: status.message ?? 'The recording stopped as soon as it started.',
              retryable: true,
            }),
          )
      })
      const timer = setTimeout(
        () =>
          finish(
            new AppError({
              code: 'timeout',
              message:
                command === 'start'
                  ? 'The meeting screen did not start recording. Use the Record button to start it yourself.'
                  : 'The recording did not stop in time. Use the Record button to stop it.',
              retryable: true,
            }),
          ),
        this.timeoutMs,
      )
      this.port.send(command)
    })
  }
}
