import { useId, useState, type FormEvent } from 'react'
import { useLocation } from 'wouter'
import { AppError } from '../../../shared/errors/AppError'
import { newRoomCode, parseRoomInput } from '../../../shared/util/roomCode'
import type { SettingsView } from '../../../shared/settings/schema'
import { api } from '../platform/api'

export function Home({ settings }: { readonly settings: SettingsView }) {
  const [, navigate] = useLocation()
  // Unsaved edits; null shows the saved name (which may change from elsewhere).
  const [draft, setDraft] = useState<string | null>(null)
  const name = draft ?? settings.displayName
  const [nameError, setNameError] = useState<string | null>(null)
  const [joinText, setJoinText] = useState('')
  const [joinError, setJoinError] = useState<string | null>(null)
  const nameId = useId()
  const joinId = useId()

  const saveName = async (): Promise<boolean> => {
    if (name.trim() === settings.displayName && settings.displayName !== '') {
      setDraft(null)
      return true
    }
    try {
      await api.settings.update({ patch: { displayName: name } })
      setNameError(null)
      setDraft(null)
      return true
    } catch (e) {
      const error = AppError.from(e)
      setNameError(error.issues?.[0]?.replace(/^[\w.]+: /, '') ?? error.message)
      return false
    }
  }

  const create = async (): Promise<void> => {
    if (await saveName()) navigate(`/room/${newRoomCode()}`)
  }

  const join = async (event: FormEvent): Promise<void> => {
    event.preventDefault()
    const code = parseRoomInput(joinText)
    if (!code) {
      setJoinError('That is not a room code or a Convene link. A code looks like abc-defg-hjk.')
      return
    }
    setJoinError(null)
    if (await saveName()) navigate(`/room/${code}`)
  }

  return (
    <main className="page home">
      <h1>Meet now</h1>
      <p className="lead">
        Start a meeting or join one with a code or link. On the local backend no account is needed.
      </p>
      <div className="card">
        <label htmlFor={nameId}>Your name</label>
        <input
          id={nameId}
          value={name}
          maxLength={64}
          autoComplete="name"
          placeholder="How others will see you"
          onChange={(e) => setDraft(e.target.value)}
          onBlur={() => void saveName()}
          aria-invalid={nameError !== null}
          aria-describedby={nameError ? `${nameId}-error` : undefined}
        />
        {nameError && (
          <p id={`${nameId}-error`} className="field-error" role="alert">
            {nameError}
          </p>
        )}
        <div className="actions">
          <button type="button" className="primary" onClick={() => void create()}>
            New meeting
          </button>
        </div>
      </div>
      <form className="card" onSubmit={(e) => void join(e)}>
        <label htmlFor={joinId}>Join with a code or link</label>
        <div className="row">
          <input
            id={joinId}
            value={joinText}
            placeholder="abc-defg-hjk"
            onChange={(e) => setJoinText(e.target.value)}
            aria-invalid={joinError !== null}
            aria-describedby={joinError ? `${joinId}-error` : undefined}
          />
          <button type="submit">Join</button>
        </div>
        {joinError && (
          <p id={`${joinId}-error`} className="field-error" role="alert">
            {joinError}
          </p>
        )}
      </form>
    </main>
  )
}
