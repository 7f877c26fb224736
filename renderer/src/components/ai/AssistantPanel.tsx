import { useEffect, useId, useRef, useState, type FormEvent, type KeyboardEvent } from 'react'
import { Link } from 'wouter'
import { AppError } from '../../../../shared/errors/AppError'
import { useAssistant } from '../../hooks/useAssistant'
import { ActionCard } from './ActionCard'
import { TurnView } from './TurnView'
import './assistant.css'

/**
 * The AI assistant beside a meeting: ask about it, catch up, summarize at the end, confirm what the assistant
 * proposes. Turning it (or captions) on tells everyone in the meeting (main sets the room activity first).
 *
 * When the assistant counts as "on" for the room: from the moment the user switches it on in this panel until
 * they switch it off, close the panel or leave. It is not on merely because the panel is open (opening a panel
 * to read the transcript must not announce anything), and it does not stay on after the panel is gone (nobody
 * stays announced without a visible switch). Captions are the meeting's own switch (`inMeeting`): closing the
 * panel in a meeting leaves them running; in the lobby, leaving the page turns them off too.
 */
export function AssistantPanel({ inMeeting = false }: { readonly inMeeting?: boolean } = {}) {
  const { view, ask, stop, setEnabled, resolveAction, postSummary } = useAssistant()
  const { state, turns, captions } = view
  const [question, setQuestion] = useState('')
  const [problem, setProblem] = useState<string | null>(null)
  const [outcome, setOutcome] = useState<{ ok: boolean; message: string } | null>(null)
  const inputId = useId()
  const titleId = useId()
  const running = turns.find((t) => t.phase === 'waiting' || t.phase === 'streaming')

  // Closing the panel or leaving switches the assistant off, so nobody stays announced as "AI on" by accident.
  const enabled = useRef({ assistant: false, captions: false })
  useEffect(() => {
    enabled.current = { assistant: Boolean(state?.assistant), captions: Boolean(state?.captions) }
  }, [state])
  useEffect(
    () => () => {
      const off = {
        ...(enabled.current.assistant ? { assistant: false } : {}),
        ...(enabled.current.captions && !inMeeting ? { captions: false } : {}),
      }
      if (Object.keys(off).length > 0) void setEnabled(off).catch(() => undefined)
    },
    [setEnabled, inMeeting],
  )

  const toggle = async (change: { assistant?: boolean; captions?: boolean }): Promise<void> => {
    try {
      await setEnabled(change)
      setProblem(null)
    } catch (e) {
      setProblem(AppError.from(e).message)
    }
  }

  const submit = (event?: FormEvent): void => {
    event?.preventDefault()
    const text = question.trim()
    if (text === '' || running) return
    ask('ask', text)
    setQuestion('')
  }
  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>): void => {
    if (event.key === 'Enter' && !event.shiftKey) {
      event.preventDefault()
      submit()
    }
  }

  return (
    <aside className="card assistant" aria-labelledby={titleId}>
      <div className="assistant-head">
        <h2 id={titleId}>Assistant</h2>
        {state && <span className="badge">{state.model}</span>}
      </div>
      {!state && <p className="help">Loading…</p>}
      {state && !state.configured && (
        <p className="notice notice-info">
          <span>
            Add an OpenAI API key in <Link href="/settings">Settings</Link> to use the assistant and captions.
          </span>
        </p>
      )}
      {state && (
        <div className="assistant-switches">
          <button
            type="button"
            aria-pressed={state.assistant}
            className={state.assistant ? 'primary' : ''}
            disabled={!state.configured && !state.assistant}
            onClick={() => void toggle({ assistant: !state.assistant })}
          >
            {state.assistant ? 'Turn assistant off' : 'Turn assistant on'}
          </button>
          <button
            type="button"
            aria-pressed={state.captions}
            className={state.captions ? 'primary' : ''}
            disabled={!state.configured && !state.captions}
            onClick={() => void toggle({ captions: !state.captions })}
          >
            {state.captions ? 'Captions off' : 'Captions on'}
          </button>
        </div>
      )}
      {state && (state.assistant || state.captions) && (
        <p className="notice notice-warning" role="status" data-testid="ai-announced">
          <span>
            {state.assistant && state.captions
              ? 'The assistant and captions are on.'
              : state.assistant
                ? 'The assistant is on.'
                : 'Captions are on.'}{' '}
            Everyone in the meeting is told. Requests go to {state.server}.
          </span>
        </p>
      )}
      {problem && (
        <p className="notice notice-error" role="alert">
          {problem}
        </p>
      )}
      {state && (
        <p className="help" data-testid="ai-context">
          Context: {plural(state.context.participants, 'participant')} ·{' '}
          {plural(state.context.chatMessages, 'chat message')} ·{' '}
          {plural(state.context.transcriptEntries, 'caption line')}
        </p>
      )}

      {state?.assistant && (
        <>
          <div className="actions">
            <button type="button" disabled={Boolean(running)} onClick={() => ask('catchUp')}>
              Catch me up
            </button>
            <button type="button" disabled={Boolean(running)} onClick={() => ask('summary')}>
              Summarize meeting
            </button>
          </div>
          <form className="assistant-ask" onSubmit={submit}>
            <label htmlFor={inputId}>Ask about the meeting</label>
            <textarea
              id={inputId}
              rows={2}
              maxLength={2000}
              value={question}
              onChange={(e) => setQuestion(e.target.value)}
              onKeyDown={onKeyDown}
              placeholder="What did we decide about the budget?"
            />
            <div className="actions">
              <button type="submit" className="primary" disabled={Boolean(running) || question.trim() === ''}>
                Ask
              </button>
            </div>
          </form>
        </>
      )}

      {state && state.pendingActions.length > 0 && (
        <ul className="assistant-actions" aria-label="Actions waiting for your confirmation">
          {state.pendingActions.map((action) => (
            <ActionCard
              key={action.id}
              action={action}
              onResolve={async (decision) => setOutcome(await resolveAction(action.id, decision))}
            />
          ))}
        </ul>
      )}
      {outcome && (
        <p className={outcome.ok ? 'field-ok' : 'field-error'} role="status" data-testid="ai-action-outcome">
          {outcome.message}
        </p>
      )}

      {turns.length > 0 && (
        <ol className="assistant-turns" aria-label="Assistant answers">
          {turns.map((turn) => (
            <TurnView
              key={turn.requestId}
              turn={turn}
              onStop={() => stop(turn.requestId)}
              onPostSummary={() => postSummary(turn.requestId, turn.summary?.id ?? '')}
            />
          ))}
        </ol>
      )}

      {state?.captions && (
        <section aria-label="Captions" className="assistant-captions">
          <h3>Captions</h3>
          {captions.length === 0 ? (
            <p className="help">Captions appear here as people speak.</p>
          ) : (
            <ul data-testid="ai-captions">
              {captions.slice(-20).map((c) => (
                <li key={c.id}>
                  <span className="caption-speaker">{c.speaker}</span>{' '}
                  <time dateTime={new Date(c.startMs).toISOString()}>
                    {new Date(c.startMs).toLocaleTimeString()}
                  </time>
                  : {c.text}
                </li>
              ))}
            </ul>
          )}
        </section>
      )}
    </aside>
  )
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`
}
