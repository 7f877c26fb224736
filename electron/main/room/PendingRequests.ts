import { AppError } from '../../../shared/errors/AppError'
import type { RoomErrorCode } from '../../../shared/room/protocol'

/**
 * Requests waiting for the room's `ack` or `error` (host actions, hand, reactions, tracks). Each settles exactly
 * once: answered, timed out, or failed when the connection drops (the caller may retry; these are not queued).
 */
export class PendingRequests {
  private readonly waiting = new Map<string, { resolve: () => void; reject: (e: AppError) => void }>()

  constructor(
    private readonly after: (ms: number, fn: () => void) => () => void,
    private readonly timeoutMs: number,
  ) {}

  /** Register `id`, then run `send`; the promise settles when the room answers. */
  track(id: string, send: () => void): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const cancel = this.after(this.timeoutMs, () => {
        this.waiting.delete(id)
        reject(AppError.timeout('The room', this.timeoutMs))
      })
      this.waiting.set(id, {
        resolve: () => (cancel(), resolve()),
        reject: (e) => (cancel(), reject(e)),
      })
      send()
    })
  }

  acked(id: string): void {
    this.take(id)?.resolve()
  }

  /** The room refused `id`; true when it was a tracked request. */
  refused(id: string, code: RoomErrorCode, message: string): boolean {
    const request = this.take(id)
    if (!request) return false
    const mapped =
      code === 'forbidden' ? 'forbidden' : code === 'rate_limited' ? 'rate_limited' : 'invalid_request'
    request.reject(new AppError({ code: mapped, message, retryable: code === 'rate_limited' }))
    return true
  }

  /** The connection dropped: fail everything still waiting. */
  failAll(): void {
    const error = new AppError({
      code: 'network',
      message: 'The room connection dropped. Try again.',
      retryable: true,
    })
    for (const id of [...this.waiting.keys()]) this.take(id)?.reject(error)
  }

  private take(id: string) {
    const request = this.waiting.get(id)
    this.waiting.delete(id)
    return request
  }
}
