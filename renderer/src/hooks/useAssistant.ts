import { useCallback, useEffect, useReducer } from 'react'
import { AppError } from '../../../shared/errors/AppError'
import type { AskKind, AskRequest } from '../../../shared/ai/schemas'
import { assistantReducer, initialAssistantView, type AssistantView } from '../components/ai/assistantState'
import { api } from '../platform/api'

export interface Assistant {
  readonly view: AssistantView
  /** Start an answer; failures land in the turn, never as a rejection. */
  readonly ask: (kind: AskKind, question?: string) => void
  readonly stop: (requestId: string) => void
  readonly setEnabled: (change: { assistant?: boolean; captions?: boolean }) => Promise<void>
  /** Resolves with what happened, to show where the action card was. */
  readonly resolveAction: (
    actionId: string,
    decision: 'confirm' | 'dismiss',
  ) => Promise<{ ok: boolean; message: string }>
  readonly postSummary: (requestId: string, summaryId: string) => Promise<void>
}

const LABELS: Record<Exclude<AskKind, 'ask'>, string> = {
  catchUp: 'Catch me up',
  summary: 'Summarize the meeting',
}

/** The assistant panel's connection to main: subscribes to the `ai:*` events and wraps the `ai:*` calls. */
export function useAssistant(): Assistant {
  const [view, dispatch] = useReducer(assistantReducer, initialAssistantView)

  useEffect(() => {
    const off = [
      api.ai.onDelta((payload) => dispatch({ type: 'delta', payload })),
      api.ai.onStatus((payload) => dispatch({ type: 'status', payload })),
      api.ai.onDone((payload) => dispatch({ type: 'done', payload })),
      api.ai.onError((payload) => dispatch({ type: 'error', payload })),
      api.ai.onCaption((entry) => dispatch({ type: 'caption', entry })),
      api.ai.onState((state) => dispatch({ type: 'state', state })),
    ]
    let live = true
    void Promise.all([api.ai.getState({}), api.ai.getTranscript({ limit: 200 })])
      .then(([state, transcript]) => {
        if (!live) return
        dispatch({ type: 'state', state })
        dispatch({ type: 'captions', entries: transcript.entries })
      })
      .catch(() => undefined)
    return () => {
      live = false
      for (const dispose of off) dispose()
    }
  }, [])

  const ask = useCallback((kind: AskKind, question?: string) => {
    // Chosen here, before the call, so events that beat the invoke's reply still find their turn.
    const requestId = crypto.randomUUID().replace(/-/g, '')
    dispatch({ type: 'asked', requestId, kind, prompt: kind === 'ask' ? (question ?? '') : LABELS[kind] })
    const request: AskRequest =
      kind === 'ask'
        ? { requestId, kind: 'ask', question: question ?? '' }
        : kind === 'catchUp'
          ? { requestId, kind: 'catchUp' }
          : { requestId, kind: 'summary' }
    api.ai.ask(request).catch((e: unknown) => {
      dispatch({ type: 'askFailed', requestId, message: AppError.from(e).message })
    })
  }, [])

  const stop = useCallback((requestId: string) => {
    void api.ai.cancel({ requestId }).catch(() => undefined)
  }, [])

  const setEnabled = useCallback(async (change: { assistant?: boolean; captions?: boolean }) => {
    dispatch({ type: 'state', state: await api.ai.setEnabled(change) })
  }, [])

  const resolveAction = useCallback(async (actionId: string, decision: 'confirm' | 'dismiss') => {
    try {
      return { ok: true, message: (await api.ai.resolveAction({ actionId, decision })).message }
    } catch (e) {
      return { ok: false, message: AppError.from(e).message }
    }
  }, [])

  const postSummary = useCallback(async (requestId: string, summaryId: string) => {
    await api.ai.postSummary({ summaryId })
    dispatch({ type: 'summaryPosted', requestId })
  }, [])

  return { view, ask, stop, setEnabled, resolveAction, postSummary }
}
