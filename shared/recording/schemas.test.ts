import { describe, expect, it } from 'vitest'
import { RecordingFileName, StartRecordingRequest } from './schemas'

describe('recording schemas', () => {
  it('accepts only plain .webm names inside the folder', () => {
    for (const ok of ['abc-defg-hij-2026-08-25_14-03-22.webm', 'a.webm', 'room_1-2.webm']) {
      expect(RecordingFileName.safeParse(ok).success, ok).toBe(true)
    }
    for (const bad of [
      '../x.webm',
      '..webm',
      'a/b.webm',
      'a\\b.webm',
      '.hidden.webm',
      'x.mp4',
      'x.webm/',
      '',
      'a..b.webm',
    ]) {
      expect(RecordingFileName.safeParse(bad).success, bad).toBe(false)
    }
  })

  it('takes only WebM recordings of sane sizes', () => {
    const base = { room: 'abc-defg-hij', source: 'meeting', width: 1280, height: 720 }
    expect(StartRecordingRequest.safeParse({ ...base, mimeType: 'video/webm;codecs=vp9,opus' }).success).toBe(
      true,
    )
    expect(StartRecordingRequest.safeParse({ ...base, mimeType: 'video/mp4' }).success).toBe(false)
    expect(StartRecordingRequest.safeParse({ ...base, mimeType: 'video/webm', width: 0 }).success).toBe(false)
    expect(StartRecordingRequest.safeParse({ ...base, mimeType: 'video/webm', room: 'a b' }).success).toBe(
      false,
    )
  })
})
