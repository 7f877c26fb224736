import type { RoomView } from '../../../shared/room/protocol'
import { trackKey } from '../engine/MeetingEngine'
import { participantTracks } from '../meeting/MeetingController'

/** One audio track to caption, and who it belongs to: the attribution every chunk of it carries. */
export interface CaptionSource {
  /** `<sessionId>/<trackName>` for a remote track, `local/mic` for ours. Stable while the track lives. */
  readonly key: string
  readonly participantId: string
  readonly name: string
  readonly track: MediaStreamTrack
}

export const LOCAL_MIC_KEY = 'local/mic'

/**
 * Every participant's own audio, each track on its own so captions are attributed by track, not guessed from a
 * mix: the local microphone (ours) and every remote microphone the room's track directory names and the engine
 * has pulled. A participant whose track is not pulled yet (or is gone) has no source until it is.
 */
export function captionSources(input: {
  readonly view: Pick<RoomView, 'participants'> | null
  readonly me: string | null
  readonly remote: ReadonlyMap<string, MediaStreamTrack>
  readonly localMic: MediaStreamTrack | null
}): CaptionSource[] {
  const out: CaptionSource[] = []
  for (const p of input.view?.participants ?? []) {
    if (p.id === input.me) {
      if (input.localMic && input.localMic.readyState !== 'ended')
        out.push({ key: LOCAL_MIC_KEY, participantId: p.id, name: p.name, track: input.localMic })
      continue
    }
    const mic = participantTracks(p).mic
    if (!mic || !p.tracks) continue
    const key = trackKey({ sessionId: p.tracks.sessionId, trackName: mic.name })
    const track = input.remote.get(key)
    if (track && track.readyState !== 'ended') out.push({ key, participantId: p.id, name: p.name, track })
  }
  return out
}

/**
 * What to change so the running recorders match `wanted`: start new keys, stop keys no longer wanted, and
 * restart a key whose track object or owner changed (a re-pulled track, a rename keeps running: the name is read
 * per chunk).
 */
export function diffSources(
  running: ReadonlyMap<string, Pick<CaptionSource, 'track' | 'participantId'>>,
  wanted: readonly CaptionSource[],
): { start: CaptionSource[]; stop: string[] } {
  const want = new Map(wanted.map((s) => [s.key, s]))
  const stop: string[] = []
  const start: CaptionSource[] = []
  for (const [key, now] of running) {
    const next = want.get(key)
    if (!next || next.track !== now.track || next.participantId !== now.participantId) stop.push(key)
  }
  for (const source of wanted) {
    const now = running.get(source.key)
    if (!now || now.track !== source.track || now.participantId !== source.participantId) start.push(source)
  }
  return { start, stop }
}
