import type { RecordingEntry, StopReason } from '../../../shared/recording/schemas'
import type { AppError } from '../../../shared/errors/AppError'

export type RecorderState = 'idle' | 'starting' | 'recording' | 'paused' | 'stopping' | 'stopped' | 'failed'

export interface RecorderProgress {
  /** Media time recorded so far (pauses excluded), from the recorder's clock. */
  readonly elapsedMs: number
  /** Bytes main confirmed on disk. */
  readonly savedBytes: number
}

export interface RecorderStopped {
  readonly reason: StopReason
  /** The finished file; null when main could not report it (the file is still in the folder). */
  readonly entry: RecordingEntry | null
  /** For stops the user did not ask for: why (disk low, connection lost). */
  readonly message?: string
  readonly elapsedMs: number
}

export interface RecorderEvents {
  state: (state: RecorderState) => void
  progress: (progress: RecorderProgress) => void
  stopped: (info: RecorderStopped) => void
  error: (error: AppError) => void
}

/** A typed emitter whose listeners cannot break the emitter: a throwing UI handler is contained. */
export class Emitter<E extends { [K in keyof E]: (...args: never[]) => void }> {
  private readonly listeners = new Map<keyof E, Set<E[keyof E]>>()

  on<K extends keyof E>(event: K, listener: E[K]): () => void {
    let set = this.listeners.get(event)
    if (!set) this.listeners.set(event, (set = new Set()))
    set.add(listener)
    return () => void set.delete(listener)
  }

  protected safeEmit<K extends keyof E>(event: K, ...args: Parameters<E[K]>): void {
    for (const listener of this.listeners.get(event) ?? []) {
      try {
        ;(listener as (...a: Parameters<E[K]>) => void)(...args)
      } catch {
        // Listener errors belong to the listener; recording goes on.
      }
    }
  }
}
