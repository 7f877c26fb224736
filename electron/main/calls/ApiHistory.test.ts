import { describe, expect, it } from 'vitest'
import { Redactor } from '../../../shared/log/redact'
import { ApiHistory } from './ApiHistory'

const base = {
  time: 1,
  target: 'cloudflare' as const,
  operation: 'tracks/new',
  method: 'POST',
  path: '/x',
  attempt: 1,
  durationMs: 3,
}

describe('ApiHistory', () => {
  it('masks secrets the vault knows and credential-named fields, then cuts long strings', () => {
    const redactor = new Redactor()
    const secret = 'S3cr3t-app-secret-value-0123456789'
    redactor.add(secret)
    const history = new ApiHistory(10, redactor)
    const sdp = `v=0\r\n${'a=x\r\n'.repeat(5000)}`
    history.record({
      ...base,
      request: { sessionDescription: { type: 'offer', sdp } },
      response: {
        iceServers: [{ urls: ['turn:x'], username: 'u', credential: 'turn-pass' }],
        echo: `bad ${secret}`,
      },
      error: { code: 'unauthorized', reason: 'http_status', message: `refused ${secret}` },
    })
    const [entry] = history.list()
    const text = JSON.stringify(entry)
    expect(text).not.toContain(secret)
    expect(text).not.toContain('turn-pass')
    expect(text).toContain('[redacted]')
    const recorded = (entry!.request as { sessionDescription: { sdp: string } }).sessionDescription.sdp
    expect(recorded.length).toBeLessThan(9000)
    expect(recorded).toMatch(/more characters\]$/)
  })

  it('keeps the newest `capacity` entries with increasing ids', () => {
    const history = new ApiHistory(3, new Redactor())
    for (let i = 0; i < 5; i++) history.record({ ...base, attempt: i + 1 })
    expect(history.list().map((e) => e.id)).toEqual([3, 4, 5])
    expect(history.list(2).map((e) => e.attempt)).toEqual([4, 5])
  })
})
