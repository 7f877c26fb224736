/**
 * Runs async jobs one at a time, in order. Every SDP change on a session goes through one of these: werift's
 * signalling state machine, like a browser's, breaks when two negotiations interleave.
 */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve()
  private pending = 0

  /** How many jobs are queued or running. */
  get size(): number {
    return this.pending
  }

  run<T>(job: () => Promise<T>): Promise<T> {
    this.pending++
    const result = this.tail.then(job, job)
    this.tail = result.then(
      () => this.pending--,
      () => this.pending--,
    )
    return result
  }
}
