import { readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { tempDir } from '../../../test/helpers/services'
import { createSummaryWriter } from './summaryFiles'

describe('summary files', () => {
  it('writes into the meeting folder and never overwrites an earlier summary', async () => {
    const base = tempDir()
    const writer = createSummaryWriter(base)
    const first = await writer.save({
      folder: '2026-03-04 1000 Sync',
      fileName: 'summary.md',
      markdown: 'one',
    })
    const second = await writer.save({
      folder: '2026-03-04 1000 Sync',
      fileName: 'summary.md',
      markdown: 'two',
    })
    expect(first).toBe(join(base, '2026-03-04 1000 Sync', 'summary.md'))
    expect(second).toBe(join(base, '2026-03-04 1000 Sync', 'summary-2.md'))
    expect(readFileSync(first, 'utf8')).toBe('one')
    expect(readFileSync(second, 'utf8')).toBe('two')
    expect(statSync(first).mode & 0o077).toBe(0)
  })

  it('refuses names that would leave the folder', async () => {
    const writer = createSummaryWriter(tempDir())
    for (const [folder, fileName] of [
      ['..', 'a.md'],
      ['x/../..', 'a.md'],
      ['ok', '../a.md'],
      ['ok', 'a\\b.md'],
    ] as const) {
      await expect(writer.save({ folder, fileName, markdown: '' })).rejects.toThrow(/single path segments/)
    }
  })
})
