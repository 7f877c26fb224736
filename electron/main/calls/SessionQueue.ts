/**
 * One FIFO per key (a Calls session id): a task starts only after every earlier task of the same key settled, so
 * only one state change per session is in flight (Calls answers overlapping negotiations with 406). Tasks of
 * different keys run concurrently.
 *
 * A task whose signal aborts while it waits leaves the line at once (its promise rejects with the signal's
 * reason) without letting later tasks jump ahead of the ones still running before it.
 */
export class SessionQueue {
  /** Per key: a promise that settles when the last enqueued task has finished. It never rejects. */
  private readonly tails = new Map<string, Promise<void>>()
  private readonly counts = new Map<string, number>()

  run<T>(key: string, task: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve()
    let release!: () => void
    const done = new Promise<void>((resolve) => (release = resolve))
    const tail = previous.then(() => done)
    this.tails.set(key, tail)
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1)
    // Forget the key only when everything enqueued so far has finished, including tasks that left early.
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key)
    })
    const finish = () => {
      release()
      const left = (this.counts.get(key) ?? 1) - 1
      if (left <= 0) this.counts.delete(key)
      else this.counts.set(key, left)
    }
    return waitTurn(previous, signal).then(
      async () => {
        try {
          return await task()
        } finally {
          finish()
        }
      },
      (reason: unknown) => {
        finish()
        throw reason
      },
    )
  }

  /** Tasks waiting or running for `key` (for diagnostics and tests). */
  pending(key: string): number {
    return this.counts.get(key) ?? 0
  }

  /** Keys with anything queued. */
  get size(): number {
    return this.counts.size
  }
}

function waitTurn(previous: Promise<void>, signal: AbortSignal | undefined): Promise<void> {
  if (!signal) return previous
  if (signal.aborted) return Promise.reject(signal.reason)
  return new Promise<void>((resolve, reject) => {
    const onAbort = () => reject(signal.reason)
    signal.addEventListener('abort', onAbort, { once: true })
    void previous.then(() => {
      signal.removeEventListener('abort', onAbort)
      resolve()
    })
  })
}
