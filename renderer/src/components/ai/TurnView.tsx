import { useState } from 'react'
import { AppError } from '../../../../shared/errors/AppError'
import type { Turn } from './assistantState'

/**
 * One question and its answer. The answer is plain text with preserved line breaks: model output is never
 * rendered as HTML.
 */
export function TurnView(props: {
  readonly turn: Turn
  readonly onStop: () => void
  readonly onPostSummary: () => Promise<void>
}) {
  const { turn } = props
  const open = turn.phase === 'waiting' || turn.phase === 'streaming'
  const [posting, setPosting] = useState<'idle' | 'busy' | string>('idle')
  const post = async (): Promise<void> => {
    setPosting('busy')
    try {
      await props.onPostSummary()
      setPosting('idle')
    } catch (e) {
      setPosting(AppError.from(e).message)
    }
  }
  return (
    <li className={`turn turn-${turn.phase}`} data-request-id={turn.requestId}>
      <p className="turn-prompt">{turn.prompt}</p>
      {(turn.text !== '' || turn.phase !== 'failed') && (
        <div className="turn-answer" data-testid="ai-answer" aria-busy={open}>
          {turn.text}
        </div>
      )}
      {turn.notice && (
        <p className="turn-notice" data-testid="ai-notice">
          {turn.notice}
        </p>
      )}
      {open && (
        <button type="button" className="ghost" onClick={props.onStop}>
          Stop
        </button>
      )}
      {turn.error && turn.error.reason === 'cancelled' && <p className="turn-notice">Stopped.</p>}
      {turn.error && turn.error.reason !== 'cancelled' && (
        <div className="notice notice-error" role="alert" data-testid="ai-error">
          {turn.error.message}
        </div>
      )}
      {turn.finish === 'truncated' && (
        <p className="turn-notice">The answer was very long, so Convene stopped it here.</p>
      )}
      {turn.finish === 'length' && <p className="turn-notice">The model stopped at its length limit.</p>}
      {turn.summary && (
        <div className="turn-summary" data-testid="ai-summary">
          {turn.summary.path ? (
            <p>
              Saved to <code data-testid="ai-summary-path">{turn.summary.path}</code>
            </p>
          ) : (
            <p className="notice notice-warning">{turn.summary.saveError}</p>
          )}
          <p className="help">
            {turn.summary.decisions} decision{turn.summary.decisions === 1 ? '' : 's'},{' '}
            {turn.summary.actionItems} action item{turn.summary.actionItems === 1 ? '' : 's'}.
          </p>
          {turn.summary.posted ? (
            <p className="field-ok" role="status">
              Posted to the meeting chat.
            </p>
          ) : (
            <button type="button" disabled={posting === 'busy'} onClick={() => void post()}>
              Post summary to chat
            </button>
          )}
          {posting !== 'idle' && posting !== 'busy' && <p className="field-error">{posting}</p>}
        </div>
      )}
    </li>
  )
}
