import { describe, expect, it } from 'vitest'
import { TypedEmitter } from '../events/emitter'
import { SerialQueue } from './serialQueue'

describe('SerialQueue', () => {
  it('runs tasks one at a time in order, and a failure does not stop the rest', async () => {
    const q = new SerialQueue()
    const log: string[] = []
    let running = 0
    const task =
      (name: string, fail = false) =>
      async () => {
        running++
        expect(running).toBe(1)
        await new Promise((r) => setTimeout(r, 1))
        log.push(name)
        running--
        if (fail) throw new Error(name)
        return name
      }
    const results = await Promise.allSettled([q.push(task('a')), q.push(task('b', true)), q.push(task('c'))])
    expect(log).toEqual(['a', 'b', 'c'])
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled'])
  })
  it('rejects queued and new work after close', async () => {
    const q = new SerialQueue()
    let started!: () => void
    const running = new Promise<void>((r) => (started = r))
    const first = q.push(async () => {
      started()
      await new Promise((r) => setTimeout(r, 5))
      return 'done'
    })
    const second = q.push(async () => 'never')
    await running
    q.close()
    // The task already running finishes; the one still waiting is rejected.
    await expect(first).resolves.toBe('done')
    await expect(second).rejects.toMatchObject({ code: 'closed' })
    await expect(q.push(async () => 1)).rejects.toMatchObject({ code: 'closed' })
  })
})

describe('TypedEmitter', () => {
  it('isolates throwing listeners and disposes', () => {
    const errors: unknown[] = []
    const e = new TypedEmitter<{ x: (n: number) => void }>((err) => errors.push(err))
    const seen: number[] = []
    e.on('x', () => {
      throw new Error('ui bug')
    })
    const off = e.on('x', (n) => seen.push(n))
    e.emit('x', 1)
    off()
    e.emit('x', 2)
    expect(seen).toEqual([1])
    expect(errors).toHaveLength(2)
  })
})
