import { useState, type FormEvent } from 'react'
import { AppError } from '../../../../shared/errors/AppError'
import type { SettingsView } from '../../../../shared/settings/schema'
import { api } from '../../platform/api'

const LABELS: Record<string, string> = {
  'patch.ai.baseUrl': 'AI server URL',
  'patch.ai.model': 'Model',
  'patch.ai.transcriptionModel': 'Transcription model',
}

/**
 * Which OpenAI-compatible server and models the assistant uses (Settings → AI assistant). Not secret: the key
 * stays in its own vault field.
 */
export function AiServerFields({ settings }: { readonly settings: SettingsView }) {
  const [drafts, setDrafts] = useState<{ baseUrl?: string; model?: string; transcriptionModel?: string }>({})
  const baseUrl = drafts.baseUrl ?? settings.ai.baseUrl
  const model = drafts.model ?? settings.ai.model
  const transcriptionModel = drafts.transcriptionModel ?? settings.ai.transcriptionModel
  const [errors, setErrors] = useState<readonly string[]>([])
  const [saved, setSaved] = useState(false)

  const save = async (event: FormEvent): Promise<void> => {
    event.preventDefault()
    setSaved(false)
    try {
      await api.settings.update({ patch: { ai: { baseUrl, model, transcriptionModel } } })
      setDrafts({})
      setErrors([])
      setSaved(true)
    } catch (e) {
      const error = AppError.from(e)
      setErrors(
        error.issues && error.issues.length > 0
          ? error.issues.map((issue) => {
              const [path = '', ...rest] = issue.split(': ')
              return LABELS[path] ? `${LABELS[path]} ${rest.join(': ')}` : issue
            })
          : [error.message],
      )
    }
  }

  return (
    <form className="grid secret" onSubmit={(e) => void save(e)}>
      <label>
        AI server URL
        <input
          value={baseUrl}
          spellCheck={false}
          onChange={(e) => setDrafts((d) => ({ ...d, baseUrl: e.target.value }))}
          placeholder="https://api.openai.com/v1 (leave empty for OpenAI)"
        />
      </label>
      <p className="help">Any OpenAI-compatible server. The API key is sent only to this address.</p>
      <label>
        Model
        <input
          value={model}
          spellCheck={false}
          onChange={(e) => setDrafts((d) => ({ ...d, model: e.target.value }))}
        />
      </label>
      <label>
        Transcription model
        <input
          value={transcriptionModel}
          spellCheck={false}
          onChange={(e) => setDrafts((d) => ({ ...d, transcriptionModel: e.target.value }))}
        />
      </label>
      {errors.length > 0 && (
        <div className="notice notice-error" role="alert">
          {errors.map((e) => (
            <div key={e}>{e}</div>
          ))}
        </div>
      )}
      {saved && errors.length === 0 && (
        <p className="field-ok" role="status">
          AI settings saved.
        </p>
      )}
      <div className="actions">
        <button type="submit">Save AI settings</button>
      </div>
    </form>
  )
}
