import { useId, useState, type FormEvent } from 'react'
import { AppError } from '../../../shared/errors/AppError'
import type { SecretName, SecretStatus } from '../../../shared/settings/schema'
import { api } from '../platform/api'

/**
 * One vault entry. The value goes to main on save and the field is emptied at once: the renderer keeps no copy,
 * and main only ever answers with `{ configured, hint }`.
 */
export function SecretField(props: {
  readonly name: SecretName
  readonly label: string
  readonly help: string
  readonly status: SecretStatus
}) {
  const { name, label, help, status } = props
  const [value, setValue] = useState('')
  const [error, setError] = useState<string | null>(null)
  const [confirmInsecure, setConfirmInsecure] = useState(false)
  const [saved, setSaved] = useState(false)
  const id = useId()

  const save = async (acceptInsecureStorage = false): Promise<void> => {
    setSaved(false)
    try {
      await api.vault.setSecret({ name, value, ...(acceptInsecureStorage ? { acceptInsecureStorage } : {}) })
      setValue('')
      setError(null)
      setConfirmInsecure(false)
      setSaved(true)
    } catch (e) {
      const appError = AppError.from(e)
      if (appError.code === 'insecure_storage') setConfirmInsecure(true)
      setError(appError.message)
    }
  }

  const submit = (event: FormEvent): void => {
    event.preventDefault()
    void save()
  }

  return (
    <form className="secret" onSubmit={submit}>
      <div className="secret-head">
        <label id={`${id}-label`} htmlFor={id}>
          {label}
        </label>
        <span className={`badge ${status.configured ? 'badge-ok' : ''}`} data-testid={`${name}-status`}>
          {status.configured ? `Configured (…${status.hint})` : 'Not set'}
        </span>
      </div>
      <p className="help">{help}</p>
      <div className="row">
        <input
          id={id}
          type="password"
          autoComplete="off"
          spellCheck={false}
          value={value}
          placeholder={status.configured ? 'Paste a new value to replace it' : 'Paste it here'}
          onChange={(e) => setValue(e.target.value)}
          aria-invalid={error !== null}
          aria-describedby={error ? `${id}-error` : undefined}
        />
        <button type="submit" disabled={value.trim().length === 0}>
          Save
        </button>
        {status.configured && (
          <button type="button" className="ghost" onClick={() => void api.vault.clearSecret({ name })}>
            Remove
          </button>
        )}
      </div>
      {saved && !error && (
        <p className="field-ok" role="status">
          Saved and encrypted.
        </p>
      )}
      {error && (
        <p id={`${id}-error`} className="field-error" role="alert">
          {error}
        </p>
      )}
      {confirmInsecure && (
        <div className="actions">
          <button type="button" className="danger" onClick={() => void save(true)}>
            Store it anyway
          </button>
        </div>
      )}
    </form>
  )
}
