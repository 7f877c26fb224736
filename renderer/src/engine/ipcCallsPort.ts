import type { ConveneApi } from '../../../shared/ipc/api'
import type { CallsPort, TrackResult } from './types'

type Failure = {
  trackName?: string | undefined
  mid?: string | undefined
  errorCode: string
  errorDescription: string
}

/** Per-item failures come back beside the successes; the engine sees them as tracks with `errorCode`. */
const withFailures = (tracks: readonly TrackResult[], failures: readonly Failure[]): TrackResult[] => [
  ...tracks,
  ...failures.map((f) => ({
    ...(f.trackName !== undefined ? { trackName: f.trackName } : {}),
    ...(f.mid !== undefined ? { mid: f.mid } : {}),
    errorCode: f.errorCode,
    errorDescription: f.errorDescription,
  })),
]

/** The engine's view of main's Calls client: the same operations, no credentials, no backend choice. */
export function ipcCallsPort(api: ConveneApi): CallsPort {
  return {
    newSession: async () => ({ sessionId: (await api.calls.newSession({})).sessionId }),
    newTracks: async (request) => {
      const r = await api.calls.newTracks({ ...request, tracks: [...request.tracks] })
      return {
        requiresImmediateRenegotiation: r.requiresImmediateRenegotiation,
        ...(r.sessionDescription ? { sessionDescription: r.sessionDescription } : {}),
        tracks: withFailures(r.tracks, r.failures),
      }
    },
    renegotiate: async (request) => {
      const r = await api.calls.renegotiate(request)
      return r.sessionDescription ? { sessionDescription: r.sessionDescription } : {}
    },
    closeTracks: async (request) => {
      const r = await api.calls.closeTracks({ ...request, tracks: [...request.tracks] })
      return {
        requiresImmediateRenegotiation: r.requiresImmediateRenegotiation,
        ...(r.sessionDescription ? { sessionDescription: r.sessionDescription } : {}),
      }
    },
    updateTracks: async (request) => {
      const r = await api.calls.updateTracks({ ...request, tracks: request.tracks.map((t) => ({ ...t })) })
      return {
        requiresImmediateRenegotiation: r.requiresImmediateRenegotiation,
        tracks: withFailures(r.tracks, r.failures),
      }
    },
    iceServers: async () => (await api.turn.getIceServers({})).iceServers,
  }
}
