import { describe, expect, it } from 'vitest'
import { SessionQueue } from './SessionQueue'

function deferred<T = void>() {
  let resolve!: (v: T) => void
  let reject!: (e: unknown) => void
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)))
  return { promise, resolve, reject }
}
const tick = () => new Promise((r) => setImmediate(r))

describe('SessionQueue', () => {
  it('runs tasks of one key one at a time, in call order', async () => {
    const queue = new SessionQueue()
    const log: string[] = []
    const gates = [deferred(), deferred(), deferred()]
    const runs = gates.map((gate, i) =>
      queue.run('s', async () => {
        log.push(`start ${i}`)
        await gate.promise
        log.push(`end ${i}`)
        return i
      }),
    )
    await tick()
    expect(log).toEqual(['start 0'])
    expect(queue.pending('s')).toBe(3)
    gates[1]!.resolve()
    gates[2]!.resolve()
    await tick()
    expect(log).toEqual(['start 0'])
    gates[0]!.resolve()
    expect(await Promise.all(runs)).toEqual([0, 1, 2])
    expect(log).toEqual(['start 0', 'end 0', 'start 1', 'end 1', 'start 2', 'end 2'])
    await tick()
    expect(queue.size).toBe(0)
  })

  it('runs different keys concurrently', async () => {
    const queue = new SessionQueue()
    const gate = deferred()
    let otherRan = false
    const a = queue.run('a', () => gate.promise)
    const b = queue.run('b', async () => void (otherRan = true))
    await b
    expect(otherRan).toBe(true)
    gate.resolve()
    await a
  })

  it('a failing task does not block the next one', async () => {
    const queue = new SessionQueue()
    const failed = queue.run('s', async () => {
      throw new Error('boom')
    })
    const next = queue.run('s', async () => 'ok')
    await expect(failed).rejects.toThrow('boom')
    await expect(next).resolves.toBe('ok')
  })

  it('an aborted waiter leaves at once, and the task after it still waits for the running one', async () => {
    const queue = new SessionQueue()
    const gate = deferred()
    const log: string[] = []
    const first = queue.run('s', async () => {
      await gate.promise
      log.push('first done')
    })
    const controller = new AbortController()
    const second = queue.run('s', async () => void log.push('second ran'), controller.signal)
    const third = queue.run('s', async () => void log.push('third ran'))
    controller.abort(new Error('cancelled'))
    await expect(second).rejects.toThrow('cancelled')
    await tick()
    expect(log).toEqual([])
    gate.resolve()
    await first
    await third
    expect(log).toEqual(['first done', 'third ran'])
  })

  it('rejects at once when the signal is already aborted', async () => {
    const queue = new SessionQueue()
    const controller = new AbortController()
    controller.abort(new Error('early'))
    let ran = false
    await expect(queue.run('s', async () => void (ran = true), controller.signal)).rejects.toThrow('early')
    expect(ran).toBe(false)
    expect(queue.pending('s')).toBe(0)
  })
})
