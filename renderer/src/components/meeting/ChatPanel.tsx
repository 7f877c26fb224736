import { useEffect, useId, useRef, useState, type FormEvent } from 'react'
import type { ChatMessage } from '../../../../shared/room/protocol'
import { ROOM_LIMITS } from '../../../../shared/room/protocol'
import { api } from '../../platform/api'

export interface ChatLine extends Pick<ChatMessage, 'id' | 'name' | 'text' | 'at'> {
  /** False until the room acknowledged it (shown as "sending…"). */
  readonly acked: boolean
  readonly mine: boolean
}

/**
 * The chat panel: history on join, unread handled by the parent, links rendered as text plus a safe https button
 * (never raw HTML: chat is untrusted input).
 */
export function ChatPanel(props: {
  readonly lines: readonly ChatLine[]
  readonly onSend: (text: string) => Promise<void>
}) {
  const [draft, setDraft] = useState('')
  const [error, setError] = useState<string | null>(null)
  const listRef = useRef<HTMLOListElement>(null)
  const inputId = useId()

  useEffect(() => {
    const list = listRef.current
    if (list) list.scrollTop = list.scrollHeight
  }, [props.lines.length])

  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault()
    const text = draft.trim()
    if (!text) return
    if (text.length > ROOM_LIMITS.maxChatChars) {
      setError(`Messages are limited to ${ROOM_LIMITS.maxChatChars} characters.`)
      return
    }
    setDraft('')
    setError(null)
    try {
      await props.onSend(text)
    } catch (e) {
      setError(e instanceof Error ? e.message : 'The message could not be sent.')
      setDraft(text)
    }
  }

  return (
    <section className="side-panel chat" aria-label="Chat">
      <h2>Chat</h2>
      <ol ref={listRef} className="chat-list" aria-live="polite" data-testid="chat-list">
        {props.lines.map((line) => (
          <li key={line.id} className={line.mine ? 'mine' : ''} data-testid="chat-line">
            <div className="chat-meta">
              <strong>{line.mine ? 'You' : line.name}</strong>{' '}
              <time dateTime={new Date(line.at).toISOString()}>
                {new Date(line.at).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })}
              </time>
              {!line.acked && <span className="sending"> · sending…</span>}
            </div>
            <ChatText text={line.text} />
          </li>
        ))}
      </ol>
      <form onSubmit={(e) => void submit(e)} className="chat-form">
        <label htmlFor={inputId} className="visually-hidden">
          Message everyone
        </label>
        <input
          id={inputId}
          value={draft}
          maxLength={ROOM_LIMITS.maxChatChars}
          placeholder="Message everyone"
          onChange={(e) => setDraft(e.target.value)}
        />
        <button type="submit" disabled={draft.trim().length === 0}>
          Send
        </button>
      </form>
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
    </section>
  )
}

const LINK = /\bhttps:\/\/[^\s<>"']{1,2000}/g

/** Text with https links as buttons that open in the system browser through main (which checks the URL again). */
function ChatText({ text }: { readonly text: string }) {
  const parts: Array<string | { url: string }> = []
  let last = 0
  for (const match of text.matchAll(LINK)) {
    parts.push(text.slice(last, match.index))
    parts.push({ url: match[0] })
    last = match.index + match[0].length
  }
  parts.push(text.slice(last))
  return (
    <p className="chat-text">
      {parts.map((part, i) =>
        typeof part === 'string' ? (
          part
        ) : (
          <button
            key={i}
            type="button"
            className="link"
            title={part.url}
            onClick={() => void openLink(part.url)}
          >
            {part.url}
          </button>
        ),
      )}
    </p>
  )
}

async function openLink(url: string): Promise<void> {
  const { opened } = await api.shell.openExternal({ url })
  // Web mode: the host cannot open a browser for us; the browser itself can, without giving the page access.
  if (!opened) window.open(url, '_blank', 'noopener,noreferrer')
}
