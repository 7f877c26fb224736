import { useState } from 'react'
import type { PendingAction } from '../../../../shared/ai/schemas'

/** A tool call the model proposed. Nothing happens until the user presses Confirm. */
export function ActionCard(props: {
  readonly action: PendingAction
  readonly onResolve: (decision: 'confirm' | 'dismiss') => Promise<unknown>
}) {
  const { action } = props
  const [busy, setBusy] = useState(false)
  const resolve = async (decision: 'confirm' | 'dismiss'): Promise<void> => {
    setBusy(true)
    try {
      await props.onResolve(decision)
    } finally {
      setBusy(false)
    }
  }
  return (
    <li className="action-card" data-testid="ai-action">
      <p className="action-title">
        The assistant wants to: <strong>{action.title}</strong>
      </p>
      <blockquote className="action-detail">{action.detail}</blockquote>
      <div className="actions">
        <button type="button" className="primary" disabled={busy} onClick={() => void resolve('confirm')}>
          Confirm
        </button>
        <button type="button" disabled={busy} onClick={() => void resolve('dismiss')}>
          Dismiss
        </button>
      </div>
    </li>
  )
}
