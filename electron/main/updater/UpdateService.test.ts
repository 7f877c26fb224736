import { describe, expect, it } from 'vitest'
import { AppError } from '../../../shared/errors/AppError'
import { UpdateStatus } from '../../../shared/desktop/schemas'
import { createLogger } from '../../../shared/log/logger'
import { Redactor } from '../../../shared/log/redact'
import { manualClock } from '../../../test/helpers/manualClock'
import { makeServices } from '../../../test/helpers/services'
import { describeUpdateFailure } from './updateErrors'
import { UpdateService, type UpdaterPort } from './UpdateService'

const log = createLogger('test', [], new Redactor())

/** A scripted updater: each check/download waits for the test to settle it. */
function scriptedPort() {
  const calls: string[] = []
  let settleCheck: ((r: { available: boolean; version: string }) => void) | null = null
  let failCheck: ((e: unknown) => void) | null = null
  const port: UpdaterPort = {
    supported: true,
    currentVersion: '1.0.0',
    check: () => {
      calls.push('check')
      return new Promise((resolve, reject) => {
        settleCheck = resolve
        failCheck = reject
      })
    },
    download: async (onProgress) => {
      calls.push('download')
      onProgress({ percent: 40, transferred: 4, total: 10, bytesPerSecond: 1 })
      return { outcome: 'downloaded', version: '1.1.0' }
    },
    cancelDownload: () => void calls.push('cancel'),
    install: () => void calls.push('install'),
    setInstallOnQuit: (v) => void calls.push(`installOnQuit=${v}`),
  }
  return {
    port,
    calls,
    answer: (r: { available: boolean; version: string }) => settleCheck?.(r),
    fail: (e: unknown) => failCheck?.(e),
  }
}

describe('UpdateService', () => {
  it('emits valid status for every step and throws typed refusals', async () => {
    const script = scriptedPort()
    const clock = manualClock()
    const service = new UpdateService({ port: script.port, autoUpdate: true, log, clock })
    const seen: string[] = []
    service.onStatus((s) => {
      expect(UpdateStatus.safeParse(s).success).toBe(true)
      seen.push(s.phase)
    })
    service.start()
    expect(() => service.install()).toThrow(AppError)
    script.answer({ available: true, version: '1.1.0' })
    await service.settled()
    expect(seen).toEqual(['checking', 'downloading', 'downloading', 'downloaded'])
    expect(script.calls).toEqual(['check', 'download', 'installOnQuit=true'])
    expect(service.install().phase).toBe('installing')
    expect(script.calls.at(-1)).toBe('install')
  })

  it('re-arms its timer for retries and stops when disposed', async () => {
    const script = scriptedPort()
    const clock = manualClock()
    const service = new UpdateService({ port: script.port, autoUpdate: true, log, clock })
    service.start()
    script.fail(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }))
    await service.settled()
    expect(clock.pending()).toEqual([clock.now() + 60_000])
    clock.advance(60_000)
    expect(script.calls).toEqual(['check', 'check'])
    service.dispose()
    expect(clock.pending()).toEqual([])
  })

  it('saves the automatic-update choice and reports an unsupported build plainly', () => {
    const saved: boolean[] = []
    const service = new UpdateService({
      port: null,
      autoUpdate: true,
      log,
      saveAutoUpdate: (v) => saved.push(v),
    })
    expect(service.status()).toMatchObject({ supported: false, phase: 'idle' })
    expect(service.setAutoUpdate(false).autoUpdate).toBe(false)
    expect(saved).toEqual([false])
    expect(() => service.checkNow()).toThrow(/cannot update itself/)
  })

  it('describes failures for people, with codes for logs', () => {
    expect(describeUpdateFailure('download', { code: 'ERR_CHECKSUM_MISMATCH' }).message).toMatch(/damaged/)
    expect(describeUpdateFailure('download', { code: 'ERR_UPDATER_INVALID_SIGNATURE' }).message).toMatch(
      /not signed/,
    )
    expect(describeUpdateFailure('check', { statusCode: 503 })).toMatchObject({ code: 'HTTP_503' })
    expect(describeUpdateFailure('check', { statusCode: 404 }).message).toMatch(/no update information/)
    expect(describeUpdateFailure('check', new Error('/home/ada/secret/path')).message).not.toContain('/home')
  })

  it('in web mode the update channels answer "unsupported" without an updater', async () => {
    const { services } = await makeServices()
    const trusted = { senderId: 'ws:1', trusted: true }
    expect(await services.router.dispatch('updates:getStatus', {}, trusted)).toMatchObject({
      ok: true,
      value: { supported: false },
    })
    expect(await services.router.dispatch('updates:check', {}, trusted)).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    })
    expect(
      await services.router.dispatch('desktop:notify', { kind: 'joinRequest', name: 'Ada' }, trusted),
    ).toEqual({
      ok: true,
      value: { shown: false },
    })
  })
})
