import { describe, expect, it, vi } from 'vitest'
import { AppError } from '../errors/AppError'
import type { IpcTransport } from './api'
import { createClient } from './client'

function transport(reply: (channel: string, payload: unknown) => unknown): IpcTransport {
  return { invoke: async (c, p) => reply(c, p), subscribe: () => () => undefined }
}

describe('IPC client', () => {
  it('unwraps ok results and throws AppError for errors', async () => {
    const api = createClient(
      transport((channel) =>
        channel === 'app:getInfo'
          ? { ok: true, value: { name: 'Convene', version: '1', platform: 'linux', shell: 'web' } }
          : { ok: false, error: { code: 'forbidden', message: 'no', retryable: false } },
      ),
    )
    expect((await api.app.getInfo({})).shell).toBe('web')
    await expect(api.settings.get({})).rejects.toMatchObject({ name: 'AppError', code: 'forbidden' })
  })

  it('treats a malformed envelope as an internal error', async () => {
    const api = createClient(transport(() => ({ ok: true, value: { surprise: 1 } })))
    const error = await api.app.getInfo({}).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(AppError)
    expect((error as AppError).code).toBe('internal')
  })

  it('times out a call that never answers', async () => {
    vi.useFakeTimers()
    try {
      const api = createClient({
        invoke: () => new Promise(() => undefined),
        subscribe: () => () => undefined,
      })
      const pending = api.app.getInfo({}).catch((e: unknown) => e)
      await vi.advanceTimersByTimeAsync(10_001)
      expect(await pending).toMatchObject({ code: 'timeout' })
    } finally {
      vi.useRealTimers()
    }
  })

  it('drops events that do not match the contract', () => {
    let emit: (payload: unknown) => void = () => undefined
    const api = createClient({
      invoke: async () => null,
      subscribe: (_c, l) => ((emit = l), () => undefined),
    })
    const seen: unknown[] = []
    api.settings.onChanged((p) => seen.push(p))
    emit({ bogus: true })
    expect(seen).toHaveLength(0)
  })
})
