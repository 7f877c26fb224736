import { useEffect, useState } from 'react'
import { Link } from 'wouter'
import type { RoomCode } from '../../../shared/util/roomCode'
import type { SettingsView } from '../../../shared/settings/schema'
import { MeetingController } from '../meeting/MeetingController'
import { api } from '../platform/api'
import { AssistantPanel } from './ai/AssistantPanel'
import { Lobby, type JoinChoice } from './meeting/Lobby'
import { MeetingView } from './meeting/MeetingView'

/**
 * The room route: the lobby (camera preview, devices, invite link) until the user clicks Join, then the meeting.
 * Nothing joins or turns on without that click (deep links land here too).
 */
export function RoomLobby({ code, settings }: { readonly code: RoomCode; readonly settings: SettingsView }) {
  const [copied, setCopied] = useState(false)
  const [meeting, setMeeting] = useState<{ controller: MeetingController; speakerId: string | null } | null>(
    null,
  )
  const link = `convene://join/${code}`

  useEffect(() => {
    if (!meeting) return
    return () => void meeting.controller.leave()
  }, [meeting])

  const copy = async (): Promise<void> => {
    try {
      await navigator.clipboard.writeText(link)
      setCopied(true)
    } catch {
      setCopied(false)
    }
  }

  const join = (choice: JoinChoice): void => {
    const controller = new MeetingController(api, code, settings.displayName || 'Guest')
    setMeeting({ controller, speakerId: choice.speakerId })
    void controller.join({ camera: choice.camera, mic: choice.mic })
  }

  if (meeting)
    return <MeetingView controller={meeting.controller} room={code} speakerId={meeting.speakerId} />

  return (
    <main className="page lobby">
      <h1>
        Room{' '}
        <span className="code" data-testid="room-code">
          {code}
        </span>
      </h1>
      <Lobby name={settings.displayName} joining={false} onJoin={join} />
      <div className="card">
        <dl className="facts">
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
        <div className="actions">
          <Link href="/" className="button">
            Back
          </Link>
        </div>
      </div>
      <AssistantPanel />
    </main>
  )
}
