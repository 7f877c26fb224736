import { describe, expect, it } from 'vitest'
import { createLogger } from '../../../shared/log/logger'
import { Redactor } from '../../../shared/log/redact'
import {
  DEFAULT_RESTART_POLICY,
  LocalBackendSupervisor,
  restartDelay,
  type LocalSfuEndpoint,
  type SupervisorTimers,
} from './LocalBackendSupervisor'
import type { ProcessSpawner, SupervisedChild } from './processSpawner'

const log = createLogger('test', [], new Redactor())

class FakeChild implements SupervisedChild {
  readonly pid = 1
  readonly sent: unknown[] = []
  killed = false
  private messageListeners: ((m: unknown) => void)[] = []
  private exitListeners: ((c: number | null) => void)[] = []
  onMessage(l: (m: unknown) => void): void {
    this.messageListeners.push(l)
  }
  onExit(l: (c: number | null) => void): void {
    this.exitListeners.push(l)
  }
  postMessage(m: unknown): void {
    this.sent.push(m)
  }
  kill(): void {
    this.killed = true
    this.exit(null)
  }
  emit(m: unknown): void {
    for (const l of this.messageListeners) l(m)
  }
  exit(code: number | null): void {
    const listeners = this.exitListeners
    this.exitListeners = []
    for (const l of listeners) l(code)
  }
  ready(port = 40000): void {
    this.emit({
      type: 'ready',
      baseUrl: `http://127.0.0.1:${port}/v1/apps/local`,
      token: 'tok-0123456789abcdef',
      port,
    })
  }
}

function harness() {
  let now = 0
  let tasks: { at: number; fn: () => void }[] = []
  const timers: SupervisorTimers = {
    now: () => now,
    setTimeout: (fn, ms) => {
      const t = { at: now + ms, fn }
      tasks.push(t)
      return t
    },
    clearTimeout: (h) => void (tasks = tasks.filter((t) => t !== h)),
  }
  const advance = (ms: number): void => {
    const target = now + ms
    for (;;) {
      const next = tasks.filter((t) => t.at <= target).sort((a, b) => a.at - b.at)[0]
      if (!next) break
      tasks = tasks.filter((t) => t !== next)
      now = next.at
      next.fn()
    }
    now = target
  }
  const children: FakeChild[] = []
  const spawner: ProcessSpawner = {
    spawn: () => {
      const c = new FakeChild()
      children.push(c)
      return c
    },
  }
  const endpoints: (LocalSfuEndpoint | undefined)[] = []
  const supervisor = new LocalBackendSupervisor({
    spawner,
    entry: 'backend.js',
    log,
    timers,
    onEndpoint: (e) => endpoints.push(e),
  })
  return { supervisor, children, endpoints, advance, last: () => children[children.length - 1]! }
}

describe('LocalBackendSupervisor', () => {
  it('reports the endpoint once the backend is ready', () => {
    const h = harness()
    h.supervisor.start()
    expect(h.supervisor.state).toBe('starting')
    h.last().ready()
    expect(h.supervisor.state).toBe('running')
    expect(h.endpoints).toEqual([
      { baseUrl: 'http://127.0.0.1:40000/v1/apps/local', token: 'tok-0123456789abcdef' },
    ])
  })

  it('restarts a crashed backend with growing delays, withdrawing the endpoint meanwhile', () => {
    const h = harness()
    h.supervisor.start()
    h.last().ready()
    h.last().exit(1)
    expect(h.endpoints.at(-1)).toBeUndefined()
    expect(h.supervisor.state).toBe('backoff')
    h.advance(499)
    expect(h.children).toHaveLength(1)
    h.advance(1)
    expect(h.children).toHaveLength(2)
    h.last().exit(1) // crashes again before ready: twice the delay
    h.advance(999)
    expect(h.children).toHaveLength(2)
    h.advance(1)
    expect(h.children).toHaveLength(3)
    h.last().ready(40001)
    expect(h.endpoints.at(-1)?.baseUrl).toBe('http://127.0.0.1:40001/v1/apps/local')
    expect(h.supervisor.restarts).toBe(2)
  })

  it('resets the backoff after a long healthy run', () => {
    const h = harness()
    h.supervisor.start()
    h.last().exit(1)
    h.advance(500)
    h.last().exit(1)
    h.advance(1000)
    h.last().ready()
    h.advance(DEFAULT_RESTART_POLICY.stableAfterMs)
    h.last().exit(1)
    h.advance(500)
    expect(h.children).toHaveLength(4)
  })

  it('kills and restarts a backend that never says ready', () => {
    const h = harness()
    h.supervisor.start()
    h.advance(DEFAULT_RESTART_POLICY.readyTimeoutMs)
    expect(h.children[0]!.killed).toBe(true)
    h.advance(500)
    expect(h.children).toHaveLength(2)
  })

  it('ignores malformed messages', () => {
    const h = harness()
    h.supervisor.start()
    h.last().emit({ type: 'ready', baseUrl: 'not a url' })
    h.last().emit('hello')
    expect(h.supervisor.state).toBe('starting')
    expect(h.endpoints).toEqual([])
  })

  it('stops cleanly: shutdown first, kill after the timeout, no restart', async () => {
    const h = harness()
    h.supervisor.start()
    h.last().ready()
    const stopped = h.supervisor.stop()
    expect(h.last().sent).toEqual([{ type: 'shutdown' }])
    h.advance(DEFAULT_RESTART_POLICY.stopTimeoutMs)
    await stopped
    expect(h.last().killed).toBe(true)
    expect(h.supervisor.state).toBe('stopped')
    h.advance(60_000)
    expect(h.children).toHaveLength(1)
    expect(h.endpoints.at(-1)).toBeUndefined()
  })

  it('computes capped exponential delays', () => {
    expect([0, 1, 2, 10].map((a) => restartDelay(a, DEFAULT_RESTART_POLICY))).toEqual([
      500, 1000, 2000, 30_000,
    ])
  })
})
