import { describe, expect, it } from 'vitest'
import { signJoinToken, verifyJoinToken, type JoinClaims } from './token'

const claims: JoinClaims = { v: 1, room: 'standup', name: 'Ada', role: 'host', exp: 2_000_000_000 }
const now = 1_900_000_000_000

describe('join tokens', () => {
  it('verifies a token it signed and returns its claims', async () => {
    const token = await signJoinToken('s3cret', claims)
    expect(await verifyJoinToken('s3cret', token, { now, room: 'standup' })).toEqual({ ok: true, claims })
  })

  it('accepts a user token for every room', async () => {
    const token = await signJoinToken('s3cret', { ...claims, room: '*' })
    expect((await verifyJoinToken('s3cret', token, { now, room: 'any-room' })).ok).toBe(true)
  })

  it('refuses another secret, a tampered body, expiry, another room and junk', async () => {
    const token = await signJoinToken('s3cret', claims)
    const [body, sig] = token.split('.') as [string, string]
    const forged = `${btoa(JSON.stringify({ ...claims, role: 'host', name: 'Eve' })).replace(/=+$/, '')}.${sig}`
    expect(await verifyJoinToken('other', token, { now })).toMatchObject({ reason: 'signature' })
    expect(await verifyJoinToken('s3cret', forged, { now })).toMatchObject({ reason: 'signature' })
    expect(await verifyJoinToken('s3cret', token, { now: claims.exp * 1000 })).toMatchObject({
      reason: 'expired',
    })
    expect(await verifyJoinToken('s3cret', token, { now, room: 'other' })).toMatchObject({ reason: 'room' })
    for (const junk of ['', 'a', `${body}.`, `${body}.${sig}.x`, `${body}.!!!`, 'x'.repeat(5000)]) {
      expect((await verifyJoinToken('s3cret', junk, { now })).ok).toBe(false)
    }
  })
})
