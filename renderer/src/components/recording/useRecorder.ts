import { useEffect, useState } from 'react'
import type { AppError } from '../../../../shared/errors/AppError'
import type { RecorderState, RecorderStopped } from '../../recording/events'
import type { Recorder } from '../../recording/Recorder'

export interface RecorderView {
  readonly state: RecorderState
  readonly elapsedMs: number
  readonly savedBytes: number
  readonly lastStop: RecorderStopped | null
  readonly error: AppError | null
}

/** The recorder's state for rendering, kept current by its events. */
export function useRecorder(recorder: Recorder): RecorderView {
  const [view, setView] = useState<RecorderView>(() => ({
    state: recorder.state,
    elapsedMs: recorder.elapsedMs,
    savedBytes: 0,
    lastStop: null,
    error: null,
  }))
  useEffect(() => {
    const offs = [
      recorder.on('state', (state) =>
        setView((v) => ({ ...v, state, ...(state === 'starting' ? { error: null, lastStop: null } : {}) })),
      ),
      recorder.on('progress', (p) =>
        setView((v) => ({ ...v, elapsedMs: p.elapsedMs, savedBytes: p.savedBytes })),
      ),
      recorder.on('stopped', (info) => setView((v) => ({ ...v, lastStop: info, elapsedMs: info.elapsedMs }))),
      recorder.on('error', (error) => setView((v) => ({ ...v, error }))),
    ]
    return () => offs.forEach((off) => off())
  }, [recorder])
  return view
}
