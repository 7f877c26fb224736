import type { LiveCaptions } from './useLiveCaptions'
import './captions.css'

/** The Captions switch for the meeting toolbar. */
export function CaptionsButton({ captions }: { readonly captions: LiveCaptions }) {
  const { on, available, pending, toggle } = captions
  return (
    <button
      type="button"
      aria-pressed={on}
      className={on ? 'primary' : ''}
      disabled={pending || (!available && !on)}
      title={
        available || on
          ? 'Live captions of everyone’s speech; everyone in the meeting is told while they are on'
          : 'Add an OpenAI API key in Settings to use captions'
      }
      onClick={toggle}
    >
      Live captions
    </button>
  )
}

/** Caption lines over the stage: who spoke and what, newest last, read out politely by screen readers. */
export function CaptionsOverlay({ captions }: { readonly captions: LiveCaptions }) {
  const { on, lines, problem } = captions
  if (!on && !problem) return null
  return (
    <section className="live-captions" aria-label="Live captions" data-testid="live-captions">
      <div aria-live="polite" aria-atomic="false">
        {on && lines.length === 0 && <p className="caption-wait">Captions appear here as people speak.</p>}
        {lines.map((line) => (
          <p key={line.id} className="caption-line" data-testid="caption-line" data-speaker={line.speaker}>
            <span className="caption-speaker">{line.speaker}</span>{' '}
            <time className="caption-time" dateTime={new Date(line.startMs).toISOString()}>
              {new Date(line.startMs).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })}
            </time>{' '}
            <span className="caption-text">{line.text}</span>
          </p>
        ))}
      </div>
      {problem && (
        <p className="caption-problem" role="status" data-testid="captions-problem">
          {problem}
        </p>
      )}
    </section>
  )
}
