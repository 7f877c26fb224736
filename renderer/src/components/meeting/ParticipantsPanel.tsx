import type {
  HostAction,
  Participant,
  ParticipantId,
  Role,
  WaitingEntry,
} from '../../../../shared/room/protocol'

/**
 * Who is here, who is waiting, and (for hosts and co-hosts) the controls: mute, stop video, remove, admit/deny,
 * lock. Every control is a real button with a label that names the person it acts on.
 */
export function ParticipantsPanel(props: {
  readonly me: ParticipantId
  readonly myRole: Role
  readonly participants: readonly Participant[]
  readonly waiting: readonly WaitingEntry[]
  readonly locked: boolean
  readonly onHostAction: (action: HostAction) => void
}) {
  const { me, myRole, participants, waiting, locked, onHostAction } = props
  const canModerate = myRole === 'host' || myRole === 'cohost'
  const isMuted = (p: Participant) => p.tracks?.tracks.find((t) => t.source === 'mic')?.muted ?? true
  const videoOn = (p: Participant) => p.tracks?.tracks.some((t) => t.source === 'camera' && !t.muted) ?? false
  return (
    <section className="side-panel people" aria-label="Participants">
      <h2>People ({participants.length})</h2>
      {canModerate && (
        <div className="actions">
          <button
            type="button"
            aria-pressed={locked}
            onClick={() => onHostAction({ kind: 'lock', locked: !locked })}
          >
            {locked ? 'Unlock room' : 'Lock room'}
          </button>
        </div>
      )}
      {canModerate && waiting.length > 0 && (
        <>
          <h3>Waiting to join</h3>
          <ul className="people-list">
            {waiting.map((w) => (
              <li key={w.id}>
                <span>{w.name}</span>
                <span className="row">
                  <button
                    type="button"
                    onClick={() => onHostAction({ kind: 'admit', target: w.id })}
                    aria-label={`Admit ${w.name}`}
                  >
                    Admit
                  </button>
                  <button
                    type="button"
                    className="ghost"
                    onClick={() => onHostAction({ kind: 'deny', target: w.id })}
                    aria-label={`Deny ${w.name}`}
                  >
                    Deny
                  </button>
                </span>
              </li>
            ))}
          </ul>
        </>
      )}
      <ul className="people-list">
        {participants.map((p) => (
          <li key={p.id} data-testid={`person-${p.name}`}>
            <span>
              {p.handRaisedAt !== null && <span aria-label="hand raised">✋ </span>}
              {p.name}
              {p.id === me ? ' (you)' : ''}
              {p.role !== 'guest' && <span className="badge">{p.role === 'host' ? 'Host' : 'Co-host'}</span>}
              {p.ai && <span className="badge">AI</span>}
              {p.activity.recording !== 'off' && (
                <span className="badge" title="Recording this meeting on their computer">
                  {p.activity.recording === 'paused' ? 'Recording paused' : 'Recording'}
                </span>
              )}
              {p.activity.captions && <span className="badge">Captions</span>}
              {p.activity.assistant && <span className="badge">Assistant</span>}
              {!p.connected && <span className="badge">reconnecting</span>}
              <span className="visually-hidden">{isMuted(p) ? ', microphone off' : ', microphone on'}</span>
            </span>
            {canModerate && p.id !== me && (
              <span className="row">
                {!isMuted(p) && (
                  <button
                    type="button"
                    className="ghost small"
                    onClick={() => onHostAction({ kind: 'mute', target: p.id })}
                    aria-label={`Mute ${p.name}`}
                  >
                    Mute
                  </button>
                )}
                {videoOn(p) && (
                  <button
                    type="button"
                    className="ghost small"
                    onClick={() => onHostAction({ kind: 'stopVideo', target: p.id })}
                    aria-label={`Stop video of ${p.name}`}
                  >
                    Stop video
                  </button>
                )}
                <button
                  type="button"
                  className="ghost small danger-text"
                  onClick={() => onHostAction({ kind: 'remove', target: p.id })}
                  aria-label={`Remove ${p.name}`}
                >
                  Remove
                </button>
              </span>
            )}
          </li>
        ))}
      </ul>
    </section>
  )
}
