/**
 * What the meeting engine needs from main's Calls client, in Calls API terms. The renderer never sees credentials:
 * main picks the backend (local SFU, Cloudflare, Convene Worker) and signs the requests.
 */
export interface SessionDescription {
  readonly type: 'offer' | 'answer'
  readonly sdp: string
}

export interface LocalTrackRequest {
  readonly location: 'local'
  readonly mid: string
  readonly trackName: string
}

export interface RemoteTrackRequest {
  readonly location: 'remote'
  readonly sessionId: string
  readonly trackName: string
  readonly simulcast?: { readonly preferredRid: string }
}

export interface TrackResult {
  readonly trackName?: string
  readonly mid?: string
  readonly sessionId?: string
  readonly errorCode?: string
  readonly errorDescription?: string
}

export interface TracksReply {
  readonly sessionDescription?: SessionDescription
  readonly requiresImmediateRenegotiation?: boolean
  readonly tracks?: readonly TrackResult[]
}

export interface CallsPort {
  newSession(): Promise<{ sessionId: string }>
  newTracks(request: {
    sessionId: string
    sessionDescription?: SessionDescription
    tracks: ReadonlyArray<LocalTrackRequest | RemoteTrackRequest>
  }): Promise<TracksReply>
  renegotiate(request: { sessionId: string; sessionDescription: SessionDescription }): Promise<{
    sessionDescription?: SessionDescription
  }>
  closeTracks(request: {
    sessionId: string
    tracks: ReadonlyArray<{ mid: string }>
    sessionDescription?: SessionDescription
    force: boolean
  }): Promise<{ sessionDescription?: SessionDescription; requiresImmediateRenegotiation?: boolean }>
  updateTracks(request: {
    sessionId: string
    tracks: ReadonlyArray<{
      location: 'remote'
      mid: string
      sessionId: string
      trackName: string
      simulcast: { preferredRid: string }
    }>
  }): Promise<TracksReply>
  iceServers(): Promise<RTCIceServer[]>
}

/** A track someone publishes, as the room's track directory lists it. */
export interface RemoteTrackRef {
  readonly sessionId: string
  readonly trackName: string
}
