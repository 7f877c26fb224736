import { useId, useState, type FormEvent } from 'react'
import { AppError } from '../../../shared/errors/AppError'
import type { BackendKind, SettingsPatch, SettingsView } from '../../../shared/settings/schema'
import { api } from '../platform/api'
import { UpdatesCard } from '../desktop/UpdatesCard'
import { AiServerFields } from './ai/AiServerFields'
import { SecretField } from './SecretField'

const BACKENDS: ReadonlyArray<{ kind: BackendKind; title: string; text: string }> = [
  {
    kind: 'local',
    title: 'Local',
    text: 'Built into Convene. Works on this computer or your network, no account.',
  },
  { kind: 'cloudflare', title: 'Cloudflare Calls', text: 'Your own Cloudflare Calls app and TURN key.' },
  { kind: 'worker', title: 'Convene server', text: 'Your organisation’s Convene Worker.' },
]

export function Settings({ settings }: { readonly settings: SettingsView }) {
  // Unsaved edits per field; null shows the saved value.
  const [drafts, setDrafts] = useState<{ appId?: string; turnKeyId?: string; workerUrl?: string }>({})
  const appId = drafts.appId ?? settings.cloudflare.appId
  const turnKeyId = drafts.turnKeyId ?? settings.cloudflare.turnKeyId
  const workerUrl = drafts.workerUrl ?? settings.worker.url
  const edit = (field: keyof typeof drafts) => (value: string) => setDrafts((d) => ({ ...d, [field]: value }))
  const [errors, setErrors] = useState<readonly string[]>([])
  const [saved, setSaved] = useState(false)
  const groupId = useId()

  const update = async (
    patch: SettingsPatch,
    saves: ReadonlyArray<keyof typeof drafts> = [],
  ): Promise<void> => {
    setSaved(false)
    try {
      await api.settings.update({ patch })
      setDrafts((d) =>
        Object.fromEntries(Object.entries(d).filter(([k]) => !saves.includes(k as keyof typeof drafts))),
      )
      setErrors([])
      setSaved(true)
    } catch (e) {
      const error = AppError.from(e)
      setErrors(error.issues && error.issues.length > 0 ? error.issues.map(humanIssue) : [error.message])
    }
  }

  const saveCloudflare = (event: FormEvent): void => {
    event.preventDefault()
    void update({ cloudflare: { appId, turnKeyId } }, ['appId', 'turnKeyId'])
  }
  const saveWorker = (event: FormEvent): void => {
    event.preventDefault()
    void update({ worker: { url: workerUrl } }, ['workerUrl'])
  }

  return (
    <main className="page settings">
      <h1>Settings</h1>
      {!settings.storage.secure && (
        <div className="notice notice-warning" role="alert" data-testid="storage-warning">
          {settings.storage.detail}
        </div>
      )}
      <fieldset className="card">
        <legend id={groupId}>Meeting backend</legend>
        <div role="radiogroup" aria-labelledby={groupId} className="backends">
          {BACKENDS.map((b) => (
            <label key={b.kind} className={`backend ${settings.backend === b.kind ? 'selected' : ''}`}>
              <input
                type="radio"
                name="backend"
                value={b.kind}
                checked={settings.backend === b.kind}
                onChange={() => void update({ backend: b.kind })}
              />
              <span className="backend-title">{b.title}</span>
              <span className="help">{b.text}</span>
            </label>
          ))}
        </div>
      </fieldset>

      {errors.length > 0 && (
        <div className="notice notice-error" role="alert">
          {errors.map((e) => (
            <div key={e}>{e}</div>
          ))}
        </div>
      )}
      {saved && errors.length === 0 && (
        <p className="field-ok" role="status">
          Settings saved.
        </p>
      )}

      {settings.backend === 'cloudflare' && (
        <section className="card" aria-labelledby="cf-title">
          <h2 id="cf-title">Cloudflare Calls</h2>
          <form onSubmit={saveCloudflare} className="grid">
            <label>
              App ID
              <input
                value={appId}
                spellCheck={false}
                onChange={(e) => edit('appId')(e.target.value)}
                placeholder="32 hexadecimal characters"
              />
            </label>
            <label>
              TURN key ID
              <input
                value={turnKeyId}
                spellCheck={false}
                onChange={(e) => edit('turnKeyId')(e.target.value)}
                placeholder="32 hexadecimal characters"
              />
            </label>
            <div className="actions">
              <button type="submit">Save IDs</button>
            </div>
          </form>
          <SecretField
            name="callsAppSecret"
            label="App secret"
            help="Stays in Convene's encrypted vault; web content never sees it."
            status={settings.secrets.callsAppSecret}
          />
          <SecretField
            name="turnApiToken"
            label="TURN API token"
            help="Used to mint short-lived TURN credentials for each meeting."
            status={settings.secrets.turnApiToken}
          />
        </section>
      )}

      {settings.backend === 'worker' && (
        <section className="card" aria-labelledby="worker-title">
          <h2 id="worker-title">Convene server</h2>
          <form onSubmit={saveWorker} className="grid">
            <label>
              Server URL
              <input
                value={workerUrl}
                spellCheck={false}
                onChange={(e) => edit('workerUrl')(e.target.value)}
                placeholder="https://meet.example.org"
              />
            </label>
            <div className="actions">
              <button type="submit">Save URL</button>
            </div>
          </form>
          <SecretField
            name="workerToken"
            label="Access token"
            help="Given to you by whoever runs the server."
            status={settings.secrets.workerToken}
          />
        </section>
      )}

      <section className="card" aria-labelledby="ai-title">
        <h2 id="ai-title">AI assistant</h2>
        <SecretField
          name="openaiApiKey"
          label="OpenAI API key"
          help="Used by the assistant panel. Requests go from Convene's main process, never from the page."
          status={settings.secrets.openaiApiKey}
        />
        <AiServerFields settings={settings} />
      </section>
      <UpdatesCard />
    </main>
  )
}

/** `cloudflare.appId: must be …` → `App ID must be …` */
function humanIssue(issue: string): string {
  const names: Record<string, string> = {
    'patch.cloudflare.appId': 'App ID',
    'patch.cloudflare.turnKeyId': 'TURN key ID',
    'patch.worker.url': 'Server URL',
    'patch.displayName': 'Name',
  }
  const [path, ...rest] = issue.split(': ')
  const message = rest.join(': ')
  const label = path ? names[path] : undefined
  return label ? `${label} ${message.replace(/^Invalid input$/, 'is not valid')}` : issue
}
