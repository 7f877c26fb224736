import { useCallback, useEffect, useMemo, useRef, useState, useSyncExternalStore } from 'react'
import { Link } from 'wouter'
import { resolveLayout, type TileSource } from '../../../../shared/call/layout'
import { roomActivity, type RoomActivity } from '../../../../shared/room/activity'
import { trackKey } from '../../engine/MeetingEngine'
import { setSpeaker } from '../../media/devices'
import { participantTracks, type MeetingController } from '../../meeting/MeetingController'
import { useDesktopMeeting } from '../../desktop/useDesktopMeeting'
import { AssistantPanel } from '../ai/AssistantPanel'
import { CaptionsButton, CaptionsOverlay } from '../../captions/LiveCaptions'
import { useLiveCaptions } from '../../captions/useLiveCaptions'
import { MeetingRecording } from '../recording/MeetingRecording'
import { ChatPanel } from './ChatPanel'
import { ParticipantsPanel } from './ParticipantsPanel'
import { VideoTile, type TileView } from './VideoTile'

type Panel = 'chat' | 'people' | 'assistant' | null
const REACTIONS = ['👍', '👏', '😂', '🎉', '❤️']
const ROOM_RECONNECTING: ReadonlySet<string> = new Set(['reconnecting', 'connecting', 'joining'])

/** The meeting screen: stage and grid, controls, chat, people and assistant panels, toasts. */
export function MeetingView(props: {
  readonly controller: MeetingController
  readonly room: string
  readonly speakerId: string | null
}) {
  const { controller } = props
  const s = useSyncExternalStore(controller.subscribe, () => controller.snapshot)
  const [panel, setPanel] = useState<Panel>(null)
  const [pinned, setPinned] = useState<string | null>(null)
  const captions = useLiveCaptions(s)

  useEffect(() => controller.setChatVisible(panel === 'chat'), [controller, panel])
  useDesktopMeeting({
    inMeeting: s.phase === 'in-meeting',
    unreadCount: s.unread,
    onPowerAction: (action) => {
      if (action.action === 'leave') void controller.leave()
      else {
        if (s.micOn) void controller.toggleMic()
        if (s.cameraOn) void controller.toggleCamera()
      }
    },
  })

  const me = s.view?.participants.find((p) => p.id === s.me)
  const tiles = useMemo(() => {
    const out: Array<TileSource & { view: TileView }> = []
    for (const p of s.view?.participants ?? []) {
      const self = p.id === s.me
      const t = participantTracks(p)
      const key = (name: string) =>
        p.tracks ? trackKey({ sessionId: p.tracks.sessionId, trackName: name }) : ''
      const base = { participantId: p.id, isSelf: self, joinedAt: p.joinedAt }
      const camKey = t.camera ? key(t.camera.name) : ''
      out.push({
        ...base,
        id: `${p.id}:camera`,
        kind: 'camera',
        view: {
          id: `${p.id}:camera`,
          name: p.name,
          kind: 'camera',
          isSelf: self,
          video: self ? s.localCamera : (s.remote.get(camKey) ?? null),
          audioMuted: self ? !s.micOn : (t.mic?.muted ?? true),
          videoOff: self ? !s.cameraOn : !t.camera || t.camera.muted,
          speaking: s.speakerId === p.id,
          handRaised: p.handRaisedAt !== null,
          stats: s.stats.get(camKey) ?? null,
        },
      })
      if (t.screen) {
        const screenKey = key(t.screen.name)
        out.push({
          ...base,
          id: `${p.id}:screen`,
          kind: 'screen',
          joinedAt: p.joinedAt + 0.5,
          view: {
            id: `${p.id}:screen`,
            name: p.name,
            kind: 'screen',
            isSelf: self,
            video: self ? s.localScreen : (s.remote.get(screenKey) ?? null),
            audioMuted: false,
            videoOff: false,
            speaking: false,
            handRaised: false,
            stats: s.stats.get(screenKey) ?? null,
          },
        })
      }
    }
    return out
  }, [s.view, s.me, s.localCamera, s.localScreen, s.remote, s.micOn, s.cameraOn, s.speakerId, s.stats])

  const layout = resolveLayout({ tiles, pinnedId: pinned, activeSpeakerId: s.speakerId })
  const byId = new Map(tiles.map((t) => [t.id, t.view]))
  const audioKeys = useMemo(() => {
    const keys: string[] = []
    for (const p of s.view?.participants ?? []) {
      const mic = participantTracks(p).mic
      if (p.id !== s.me && mic && p.tracks)
        keys.push(trackKey({ sessionId: p.tracks.sessionId, trackName: mic.name }))
    }
    return keys
  }, [s.view, s.me])

  const onSize = useCallback(
    (tileId: string, w: number, h: number) => {
      const tile = byIdRef(tiles, tileId)
      if (!tile || tile.isSelf) return
      const p = s.view?.participants.find((x) => x.id === tile.participantId)
      const track = p ? participantTracks(p)[tile.kind] : undefined
      if (p?.tracks && track)
        controller.tileResized(trackKey({ sessionId: p.tracks.sessionId, trackName: track.name }), w, h)
    },
    [tiles, s.view, controller],
  )

  useShortcuts(controller, setPanel)

  if (s.phase === 'removed' || s.phase === 'ended' || s.phase === 'failed' || s.phase === 'left') {
    return (
      <main className="page" aria-labelledby="ended-title">
        <h1 id="ended-title">
          {s.phase === 'left'
            ? 'You left the meeting'
            : s.phase === 'failed'
              ? 'Could not join'
              : 'The meeting is over for you'}
        </h1>
        {s.message && (
          <p role="alert" data-testid="leave-reason">
            {s.message}
          </p>
        )}
        <Link href="/" className="button">
          Back home
        </Link>
      </main>
    )
  }
  if (s.phase === 'waiting' || s.phase === 'joining') {
    return (
      <main className="page">
        <h1>{s.phase === 'waiting' ? 'Waiting for a host to let you in…' : 'Joining…'}</h1>
        <button type="button" onClick={() => void controller.leave()}>
          Cancel
        </button>
      </main>
    )
  }

  // In the meeting the room is only ever connecting or joining again after a drop: each retry is still a reconnect.
  const reconnecting = ROOM_RECONNECTING.has(s.roomState) || s.call.kind === 'reconnecting'
  const isHost = me?.role === 'host' || me?.role === 'cohost'
  return (
    <div className="meeting" data-testid="meeting">
      <div className="meeting-top">
        <span>
          <span className="code">{props.room}</span> · {s.view?.participants.length ?? 0}{' '}
          {s.view?.participants.length === 1 ? 'person' : 'people'}
        </span>
        <span className="row">
          {s.view && <ActivityPills activity={roomActivity(s.view)} />}
          {s.view?.flags.locked && <span className="status-pill">Locked</span>}
          <span
            className={`status-pill ${reconnecting ? 'status-reconnecting' : ''}`}
            role="status"
            data-testid="connection-status"
            data-room-state={s.roomState}
            data-call-state={s.call.kind}
          >
            {reconnecting ? 'Reconnecting…' : 'Connected'}
          </span>
        </span>
      </div>
      <div className="meeting-body">
        <div className={`stage-area ${layout.stageId ? 'has-stage' : ''}`}>
          {layout.stageId && byId.get(layout.stageId) && (
            <div className="stage">
              <VideoTile
                tile={byId.get(layout.stageId)!}
                pinned={pinned === layout.stageId}
                onPin={(id) => setPinned((p) => (p === id ? null : id))}
                onSize={onSize}
              />
            </div>
          )}
          <div className="grid">
            {layout.gridIds.map((id) => (
              <div key={id} className="tile-wrap">
                <VideoTile
                  tile={byId.get(id)!}
                  pinned={pinned === id}
                  onPin={(t) => setPinned((p) => (p === t ? null : t))}
                  onSize={onSize}
                />
                {s.reactions.get(byId.get(id)!.id.split(':')[0]!) && (
                  <span className="reaction-float" aria-label="reaction">
                    {s.reactions.get(byId.get(id)!.id.split(':')[0]!)}
                  </span>
                )}
              </div>
            ))}
          </div>
          <CaptionsOverlay captions={captions} />
          {/* Over the stage's top right: never over the toolbar, the captions or a side panel. */}
          <div className="toasts" aria-live="polite">
            {s.toasts.map((t) => (
              <div key={t.id} className="toast">
                {t.text}
              </div>
            ))}
          </div>
        </div>
        {panel === 'chat' && <ChatPanel lines={s.chat} onSend={(text) => controller.sendChat(text)} />}
        {panel === 'people' && me && (
          <ParticipantsPanel
            me={me.id}
            myRole={me.role}
            participants={s.view?.participants ?? []}
            waiting={s.view?.waiting ?? []}
            locked={s.view?.flags.locked ?? false}
            onHostAction={(action) => void controller.hostAction(action)}
          />
        )}
        {panel === 'assistant' && (
          <div className="side-panel">
            <AssistantPanel inMeeting />
          </div>
        )}
      </div>
      <div className="controls" role="toolbar" aria-label="Meeting controls">
        <button
          type="button"
          className="toggle"
          aria-pressed={s.micOn}
          onClick={() => void controller.toggleMic()}
          aria-keyshortcuts="M"
        >
          {s.micOn ? 'Mute' : 'Unmute'}
        </button>
        <button
          type="button"
          className="toggle"
          aria-pressed={s.cameraOn}
          onClick={() => void controller.toggleCamera()}
          aria-keyshortcuts="V"
        >
          {s.cameraOn ? 'Stop video' : 'Start video'}
        </button>
        <button
          type="button"
          aria-pressed={s.sharing}
          onClick={() =>
            void controller.toggleShare(() =>
              navigator.mediaDevices.getDisplayMedia({ video: { frameRate: 15 }, audio: false }),
            )
          }
        >
          {s.sharing ? 'Stop sharing' : 'Share screen'}
        </button>
        <button
          type="button"
          aria-pressed={s.handRaised}
          onClick={() => void controller.setHand(!s.handRaised)}
        >
          {s.handRaised ? 'Lower hand' : 'Raise hand'}
        </button>
        <ReactionMenu onReact={(emoji) => void controller.react(emoji)} />
        <CaptionsButton captions={captions} />
        <button
          type="button"
          aria-pressed={panel === 'chat'}
          onClick={() => setPanel((p) => (p === 'chat' ? null : 'chat'))}
          aria-keyshortcuts="C"
        >
          Chat{s.unread > 0 ? ` (${s.unread})` : ''}
        </button>
        <button
          type="button"
          aria-pressed={panel === 'people'}
          onClick={() => setPanel((p) => (p === 'people' ? null : 'people'))}
        >
          People
        </button>
        <button
          type="button"
          aria-pressed={panel === 'assistant'}
          onClick={() => setPanel((p) => (p === 'assistant' ? null : 'assistant'))}
        >
          Assistant
        </button>
        <MeetingRecording controller={controller} room={props.room} />
        {isHost && me?.role === 'host' && (
          <button
            type="button"
            className="danger"
            onClick={() => void controller.hostAction({ kind: 'end' })}
          >
            End for all
          </button>
        )}
        <button type="button" className="leave" onClick={() => void controller.leave()}>
          Leave
        </button>
      </div>
      {audioKeys.map((key) => (
        <RemoteAudio
          key={key}
          track={s.remote.get(key) ?? null}
          speakerId={props.speakerId}
          packets={s.stats.get(key)?.packets ?? 0}
        />
      ))}
    </div>
  )
}

/** Everyone sees who records and who runs captions or the assistant, for as long as it runs. */
function ActivityPills({ activity }: { readonly activity: RoomActivity }) {
  const list = (names: readonly string[]) => (names.length > 0 ? ` by ${names.join(', ')}` : '')
  return (
    <>
      {activity.recording && (
        <span
          className="status-pill status-recording"
          role="status"
          data-testid="room-recording"
          data-paused={activity.recordingPaused}
          title={`This meeting is being recorded${list(activity.recorders)}`}
        >
          {activity.recordingPaused ? '❚❚ Recording paused' : '● Recording'}
          {list(activity.recorders)}
        </span>
      )}
      {activity.captions.length > 0 && (
        <span className="status-pill" role="status" data-testid="room-captions">
          Captions on{list(activity.captions)}
        </span>
      )}
      {activity.assistant.length > 0 && (
        <span className="status-pill" role="status" data-testid="room-assistant">
          AI assistant on{list(activity.assistant)}
        </span>
      )}
    </>
  )
}

function ReactionMenu({ onReact }: { readonly onReact: (emoji: string) => void }) {
  const [open, setOpen] = useState(false)
  return (
    <span className="reaction-menu">
      <button type="button" aria-expanded={open} aria-haspopup="true" onClick={() => setOpen((o) => !o)}>
        React
      </button>
      {open && (
        <span className="reaction-pop" role="group" aria-label="Reactions">
          {REACTIONS.map((emoji) => (
            <button
              key={emoji}
              type="button"
              className="ghost"
              aria-label={`React ${emoji}`}
              onClick={() => {
                onReact(emoji)
                setOpen(false)
              }}
            >
              {emoji}
            </button>
          ))}
        </span>
      )}
    </span>
  )
}

function byIdRef<T extends { id: string }>(list: readonly T[], id: string): T | undefined {
  return list.find((t) => t.id === id)
}

function RemoteAudio(props: {
  readonly track: MediaStreamTrack | null
  readonly speakerId: string | null
  readonly packets: number
}) {
  const { track, speakerId } = props
  const ref = useRef<HTMLAudioElement>(null)
  useEffect(() => {
    if (ref.current) ref.current.srcObject = track ? new MediaStream([track]) : null
  }, [track])
  useEffect(() => {
    if (ref.current && speakerId) void setSpeaker(ref.current, speakerId).catch(() => undefined)
  }, [speakerId])
  return <audio ref={ref} autoPlay data-testid="remote-audio" data-packets={props.packets} />
}

/** M: microphone, V: camera, C: chat, P: people; ignored while typing. */
function useShortcuts(controller: MeetingController, setPanel: (f: (p: Panel) => Panel) => void): void {
  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      const target = e.target as HTMLElement | null
      if (e.ctrlKey || e.metaKey || e.altKey || target?.closest('input, textarea, select, [contenteditable]'))
        return
      const key = e.key.toLowerCase()
      if (key === 'm') void controller.toggleMic()
      else if (key === 'v') void controller.toggleCamera()
      else if (key === 'c') setPanel((p) => (p === 'chat' ? null : 'chat'))
      else if (key === 'p') setPanel((p) => (p === 'people' ? null : 'people'))
      else return
      e.preventDefault()
    }
    window.addEventListener('keydown', onKey)
    return () => window.removeEventListener('keydown', onKey)
  }, [controller, setPanel])
}
