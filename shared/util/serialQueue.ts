import { AppError } from '../errors/AppError'

/**
 * Runs async tasks one at a time, in order (STYLE.md rule 12): every PeerConnection and Calls mutation of a
 * session goes through one of these, because overlapping negotiations corrupt each other. A failing task rejects
 * its own caller and does not stop the queue. `close()` rejects everything still waiting.
 */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve()
  private closed = false
  private pending = 0

  get size(): number {
    return this.pending
  }

  push<T>(task: () => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(AppError.closed('The operation queue'))
    this.pending++
    const run = async (): Promise<T> => {
      try {
        if (this.closed) throw AppError.closed('The operation queue')
        return await task()
      } finally {
        this.pending--
      }
    }
    const result = this.tail.then(run, run)
    this.tail = result.catch(() => undefined)
    return result
  }

  close(): void {
    this.closed = true
  }
}
