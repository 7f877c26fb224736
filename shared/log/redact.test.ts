import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { Redactor } from './redact'

describe('redactor', () => {
  it('removes registered secrets wherever they appear', () => {
    const r = new Redactor()
    fc.assert(
      fc.property(fc.string({ minLength: 6, maxLength: 40 }), fc.string(), fc.string(), (secret, a, b) => {
        r.add(secret)
        return !r.text(`${a}${secret}${b}`).includes(secret) || `${a}${b}`.includes(secret)
      }),
    )
  })
  it('masks credential-named fields and bearer tokens', () => {
    const r = new Redactor()
    expect(r.data({ apiKey: 'x', nested: { Authorization: 'abc' }, ok: 'Bearer abcdefghij' })).toEqual({
      apiKey: '[redacted]',
      nested: { Authorization: '[redacted]' },
      ok: 'Bearer [redacted]',
    })
  })
})
