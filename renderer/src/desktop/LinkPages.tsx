import { useState } from 'react'
import { Link } from 'wouter'
import { AppError } from '../../../shared/errors/AppError'
import type { SettingsView } from '../../../shared/settings/schema'
import { api } from '../platform/api'
import { linkStore, useLinkState } from './linkStore'

/** Untrusted text from an address, safe to show: printable, bounded. */
function shown(text: string): string {
  let decoded = text
  try {
    decoded = decodeURIComponent(text)
  } catch {
    // Show it as it came.
  }
  const clean = decoded.replace(/[\p{Cc}\p{Cf}]/gu, '')
  return clean.length > 40 ? `${clean.slice(0, 40)}…` : clean
}

/** `/room/<not a code>`: a malformed room link, explained. Nothing is joined from here. */
export function MalformedRoomLink({ code }: { readonly code: string }) {
  return (
    <main className="page lobby">
      <h1>This room link does not work</h1>
      <div className="notice notice-error" role="alert" data-testid="link-problem">
        “{shown(code)}” is not a Convene room code. A room code looks like abc-defg-hjk. Check the link, or
        ask whoever invited you for a new one.
      </div>
      <div className="actions">
        <Link href="/" className="button">
          Go home
        </Link>
      </div>
    </main>
  )
}

/** `/link`: a link from the OS that Convene could not open, with the reason. */
export function LinkProblem() {
  const { problem } = useLinkState()
  return (
    <main className="page lobby">
      <h1>Convene could not open that link</h1>
      <div className="notice notice-error" role="alert" data-testid="link-problem">
        {problem ??
          'The link was not a Convene room link. A Convene link looks like convene://join/abc-defg-hjk.'}
      </div>
      <div className="actions">
        <Link href="/" className="button">
          Go home
        </Link>
      </div>
    </main>
  )
}

/**
 * Shown above a lobby opened from a link that names a Convene server other than the one in Settings. Switching
 * takes a click: a link must not redirect where media and credentials go on its own.
 */
export function LinkServerNote({
  room,
  settings,
}: {
  readonly room: string
  readonly settings: SettingsView
}) {
  const { server } = useLinkState()
  const [error, setError] = useState<string | null>(null)
  if (!server || server.room !== room) return null
  if (settings.backend === 'worker' && settings.worker.url.replace(/\/+$/, '') === server.url) return null
  const use = async (): Promise<void> => {
    try {
      await api.settings.update({ patch: { backend: 'worker', worker: { url: server.url } } })
      linkStore.dismissServer()
    } catch (e) {
      setError(AppError.from(e).message)
    }
  }
  return (
    <div className="page notice notice-warning" role="status" data-testid="link-server">
      This invitation is for the Convene server <code>{server.url}</code>, but Convene is set up for{' '}
      {settings.backend === 'worker' ? <code>{settings.worker.url || 'no server'}</code> : 'another backend'}.{' '}
      <button type="button" onClick={() => void use()}>
        Use this server
      </button>{' '}
      <button type="button" className="ghost" onClick={linkStore.dismissServer}>
        Keep my settings
      </button>
      {error && (
        <span className="field-error" role="alert">
          {' '}
          {error}
        </span>
      )}
    </div>
  )
}
