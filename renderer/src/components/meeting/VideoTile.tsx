import { useEffect, useRef } from 'react'
import type { TrackStats } from '../../engine/stats'
import { qualityOf } from '../../engine/stats'

export interface TileView {
  readonly id: string
  readonly name: string
  readonly kind: 'camera' | 'screen'
  readonly isSelf: boolean
  readonly video: MediaStreamTrack | null
  readonly audioMuted: boolean
  readonly videoOff: boolean
  readonly speaking: boolean
  readonly handRaised: boolean
  readonly stats: TrackStats | null
}

/**
 * One participant's camera or screen. Reports its rendered size so the engine can pick a simulcast layer.
 * Self view is mirrored; screens are not.
 */
export function VideoTile(props: {
  readonly tile: TileView
  readonly pinned: boolean
  readonly onPin: (id: string) => void
  readonly onSize?: (id: string, width: number, height: number) => void
}) {
  const { tile, pinned, onPin, onSize } = props
  const videoRef = useRef<HTMLVideoElement>(null)
  const boxRef = useRef<HTMLDivElement>(null)

  useEffect(() => {
    const el = videoRef.current
    if (!el) return
    el.srcObject = tile.video ? new MediaStream([tile.video]) : null
  }, [tile.video])

  useEffect(() => {
    const box = boxRef.current
    if (!box || !onSize) return
    const observer = new ResizeObserver(([entry]) => {
      if (!entry) return
      const ratio = window.devicePixelRatio || 1
      onSize(tile.id, entry.contentRect.width * ratio, entry.contentRect.height * ratio)
    })
    observer.observe(box)
    return () => observer.disconnect()
  }, [tile.id, onSize])

  const quality = tile.stats ? qualityOf(tile.stats) : null
  const label = `${tile.name}${tile.isSelf ? ' (you)' : ''}${tile.kind === 'screen' ? ' is sharing their screen' : ''}`
  return (
    <div
      ref={boxRef}
      className={`tile ${tile.speaking ? 'speaking' : ''} ${tile.kind === 'screen' ? 'screen' : ''}`}
      role="group"
      aria-label={label}
      data-testid={`tile-${tile.id}`}
      data-kind={tile.kind}
      data-name={tile.name}
      data-frames-decoded={tile.stats?.framesDecoded ?? undefined}
      data-video-off={tile.videoOff || !tile.video ? 'true' : 'false'}
      data-muted={tile.audioMuted ? 'true' : 'false'}
    >
      <video
        ref={videoRef}
        autoPlay
        playsInline
        muted
        className={tile.isSelf && tile.kind === 'camera' ? 'mirror' : ''}
        hidden={tile.videoOff || !tile.video}
      />
      {(tile.videoOff || !tile.video) && (
        <div className="avatar" aria-hidden="true">
          {initials(tile.name)}
        </div>
      )}
      <div className="tile-bar">
        <span className="tile-name">
          {tile.handRaised && <span aria-label="hand raised">✋ </span>}
          {tile.name}
          {tile.isSelf ? ' (you)' : ''}
        </span>
        {tile.audioMuted && tile.kind === 'camera' && (
          <span className="muted-icon" role="img" aria-label="microphone off" data-testid="muted">
            <svg viewBox="0 0 24 24" width="14" height="14" aria-hidden="true">
              <path
                fill="currentColor"
                d="M12 14a3 3 0 0 0 3-3V5a3 3 0 0 0-6 0v6a3 3 0 0 0 3 3Zm5-3a5 5 0 0 1-10 0H5a7 7 0 0 0 6 6.9V21h2v-3.1A7 7 0 0 0 19 11h-2ZM3.3 2.3 2 3.6l18.4 18.4 1.3-1.3L3.3 2.3Z"
              />
            </svg>
          </span>
        )}
        {quality && (
          <span
            className={`quality quality-${quality}`}
            role="img"
            aria-label={`connection ${quality}`}
            title={statsTitle(tile.stats!)}
          />
        )}
        <button type="button" className="ghost small" aria-pressed={pinned} onClick={() => onPin(tile.id)}>
          {pinned ? 'Unpin' : 'Pin'}
        </button>
      </div>
    </div>
  )
}

function initials(name: string): string {
  return (
    name
      .split(/\s+/)
      .filter(Boolean)
      .slice(0, 2)
      .map((p) => p[0]!.toUpperCase())
      .join('') || '?'
  )
}

function statsTitle(s: TrackStats): string {
  return `${Math.round(s.bitrateKbps)} kbit/s, loss ${(s.loss * 100).toFixed(1)} %, jitter ${Math.round(s.jitterMs)} ms${
    s.rttMs !== null ? `, RTT ${Math.round(s.rttMs)} ms` : ''
  }${s.fps !== null ? `, ${Math.round(s.fps)} fps` : ''}`
}
