import { useCallback, useEffect, useRef, useState } from 'react'
import type { AiState, TranscriptEntry } from '../../../shared/ai/schemas'
import { AppError } from '../../../shared/errors/AppError'
import type { MeetingSnapshot } from '../meeting/MeetingController'
import { api } from '../platform/api'
import { CaptionsRunner } from './CaptionsRunner'
import { captionLines } from './segment'
import { captionSources } from './sources'
import { TrackRecorder } from './TrackRecorder'

/** Caption lines kept for the overlay (the full transcript stays in main). */
const LINES = 3

export interface LiveCaptions {
  /** Captions run for this participant (main says so, and we are in the meeting). */
  readonly on: boolean
  /** An API key is configured, so captions can be turned on. */
  readonly available: boolean
  readonly pending: boolean
  readonly lines: readonly TranscriptEntry[]
  readonly problem: string | null
  readonly toggle: () => void
}

/**
 * Live captions in a meeting. Main's `captions` flag is the switch (the Assistant panel's switch is the same
 * one); main tells the room when it turns on. While it is on and we are in the meeting, every participant's
 * audio track is recorded on its own and sent for transcription with the participant's id and name. Leaving
 * the meeting (or this screen) turns captions off.
 */
export function useLiveCaptions(s: MeetingSnapshot): LiveCaptions {
  const [state, setState] = useState<AiState | null>(null)
  const [entries, setEntries] = useState<readonly TranscriptEntry[]>([])
  const [problem, setProblem] = useState<string | null>(null)
  const [pending, setPending] = useState(false)
  const inMeeting = s.phase === 'in-meeting'
  const on = Boolean(state?.captions) && inMeeting

  useEffect(() => {
    let live = true
    const off = [
      api.ai.onState((next) => setState(next)),
      api.ai.onCaption((entry) => setEntries((old) => captionLines([...old, entry], LINES))),
    ]
    void api.ai
      .getState({})
      .then((next) => live && setState(next))
      .catch(() => undefined)
    return () => {
      live = false
      for (const dispose of off) dispose()
    }
  }, [])

  // Leaving the meeting or this screen turns captions off, so nobody stays announced (or recorded) by accident.
  const onRef = useRef(false)
  useEffect(() => {
    onRef.current = Boolean(state?.captions)
  }, [state])
  useEffect(() => {
    if (!inMeeting) return
    return () => {
      if (onRef.current) void api.ai.setEnabled({ captions: false }).catch(() => undefined)
    }
  }, [inMeeting])

  const runner = useRef<CaptionsRunner | null>(null)
  useEffect(() => {
    if (!on) return
    let context: AudioContext
    try {
      context = new AudioContext()
      const started = context
      void started
        .resume()
        .catch(() => undefined)
        .then(() => {
          // Without it every segment reads as silence and nothing would be captioned, without a word.
          if (started.state === 'suspended')
            setProblem('Captions cannot hear the meeting yet: click anywhere in the meeting to allow audio.')
        })
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error)
      queueMicrotask(() => setProblem(`Captions cannot listen here: ${message}`))
      return
    }
    const created = new CaptionsRunner({
      record: (source, onSegment, onError) =>
        new TrackRecorder({ track: source.track, audioContext: context, onSegment, onError }),
      transcribe: (chunk) => api.ai.transcribeChunk(chunk),
      onProblem: setProblem,
      onFatal: (message) => {
        setProblem(`Captions stopped: ${message}`)
        void api.ai.setEnabled({ captions: false }).catch(() => undefined)
      },
    })
    runner.current = created
    return () => {
      created.close()
      if (runner.current === created) runner.current = null
      void context.close().catch(() => undefined)
    }
  }, [on])

  useEffect(() => {
    runner.current?.sync(
      on ? captionSources({ view: s.view, me: s.me, remote: s.remote, localMic: s.localMic }) : [],
    )
  }, [on, s.view, s.me, s.remote, s.localMic])

  const toggle = useCallback(() => {
    const next = !onRef.current
    setPending(true)
    api.ai
      .setEnabled({ captions: next })
      .then((value) => {
        setState(value)
        if (next) setEntries([])
        setProblem(null)
      })
      .catch((error: unknown) => setProblem(AppError.from(error).message))
      .finally(() => setPending(false))
  }, [])

  return {
    on,
    available: Boolean(state?.configured),
    pending,
    lines: on ? entries : [],
    problem,
    toggle,
  }
}
