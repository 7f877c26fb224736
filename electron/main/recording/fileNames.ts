import { RecordingFileName } from '../../../shared/recording/schemas'

/** `<room>-<local date>_<local time>.webm`, e.g. `abc-defg-hij-2026-08-25_14-03-22.webm`. */
export function recordingFileName(room: string, at: Date, attempt = 1): string {
  const safeRoom = room.replace(/[^A-Za-z0-9-]/g, '').slice(0, 48) || 'meeting'
  const p = (n: number): string => String(n).padStart(2, '0')
  const stamp = `${at.getFullYear()}-${p(at.getMonth() + 1)}-${p(at.getDate())}_${p(at.getHours())}-${p(
    at.getMinutes(),
  )}-${p(at.getSeconds())}`
  const name = `${safeRoom}-${stamp}${attempt > 1 ? `-${attempt}` : ''}.webm`
  return RecordingFileName.parse(name)
}
