import { useState } from 'react'
import { Link } from 'wouter'
import type { RoomCode } from '../../../shared/util/roomCode'
import type { SettingsView } from '../../../shared/settings/schema'

/**
 * The route a room code leads to. It shows which room and backend you are about to use and how to invite
 * others; the camera preview and the meeting itself mount here when the media engine lands.
 */
export function RoomLobby({ code, settings }: { readonly code: RoomCode; readonly settings: SettingsView }) {
  const [copied, setCopied] = useState(false)
  const link = `convene://join/${code}`
  const copy = async (): Promise<void> => {
    try {
      await navigator.clipboard.writeText(link)
      setCopied(true)
    } catch {
      setCopied(false)
    }
  }
  return (
    <main className="page lobby">
      <h1>
        Room{' '}
        <span className="code" data-testid="room-code">
          {code}
        </span>
      </h1>
      <div className="card">
        <dl className="facts">
          <dt>You appear as</dt>
          <dd>{settings.displayName || 'Guest'}</dd>
          <dt>Backend</dt>
          <dd>
            {settings.backend === 'local'
              ? 'Local (built in)'
              : settings.backend === 'cloudflare'
                ? 'Cloudflare Calls'
                : 'Convene server'}
          </dd>
          <dt>Invite link</dt>
          <dd>
            <code>{link}</code>{' '}
            <button type="button" className="ghost" onClick={() => void copy()}>
              {copied ? 'Copied' : 'Copy'}
            </button>
          </dd>
        </dl>
        <p className="help" role="status">
          Joining with camera and microphone is not available in this build yet.
        </p>
        <div className="actions">
          <Link href="/" className="button">
            Back
          </Link>
        </div>
      </div>
    </main>
  )
}
