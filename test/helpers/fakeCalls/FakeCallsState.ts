import { randomBytes, randomUUID } from 'node:crypto'
import { answerFor, buildSdp, parseSections, type MediaSection } from './sdp'

/**
 * The Calls behaviour behind the fake server: sessions, tracks, data channels, adapters and TURN credentials,
 * answering with bodies shaped like the OpenAPI's examples (realtime-api-2024-05-21.yaml), including its
 * per-item errors inside HTTP 200 (`not_found_track_error`, `repeated_local_track_error`, `close_track_error`)
 * and its request-level errors (400 `decoding_error`, 406 `invalid_params`, 410 `session_error`).
 */
export interface FakeReply {
  readonly status: number
  readonly body?: unknown
}

export type Json = Record<string, unknown>

interface Track {
  mid: string
  location: 'local' | 'remote'
  trackName: string
  sessionId?: string
  kind: string
  status: 'active' | 'inactive'
  /** How the SFU sees the section: it receives pushed tracks and sends pulled ones. */
  direction: MediaSection['direction']
  simulcast?: Json
}

interface Channel {
  id: number
  location: 'local' | 'remote'
  dataChannelName: string
  sessionId?: string
  status: 'active' | 'inactive'
  canReply?: boolean
}

interface Session {
  readonly id: string
  readonly tracks: Track[]
  readonly channels: Channel[]
  nextMid: number
  nextChannelId: number
  pendingOffer: boolean
  /** mid of the SCTP section once `datachannels/establish` ran. */
  channelTransportMid?: string
  gone: boolean
  readonly thirdparty: boolean
  readonly correlationId?: string
}

export const hex = (bytes = 16) => randomBytes(bytes).toString('hex')
export const invalid = (description: string): FakeReply => ({
  status: 406,
  body: { errorCode: 'invalid_params', errorDescription: description },
})
const NOT_FOUND_TRACK = {
  errorCode: 'not_found_track_error',
  errorDescription:
    'Track not found on remote peer. Make sure the publisher peer is connected and sending packets for this track',
}
const isObject = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v)
export const list = (v: unknown): Json[] => (Array.isArray(v) ? v.filter(isObject) : [])
export const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined)

export class FakeCallsState {
  readonly sessions = new Map<string, Session>()
  private readonly itemErrors = new Map<string, { errorCode: string; errorDescription: string }>()

  /** Make every later item named `name` (trackName, mid or dataChannelName) fail with `errorCode`. */
  failItem(name: string, errorCode: string, errorDescription = 'Backend error'): void {
    this.itemErrors.set(name, { errorCode, errorDescription })
  }

  /** The session expires: later calls on it get 410 `session_error`. */
  expire(sessionId: string): void {
    const s = this.sessions.get(sessionId)
    if (s) s.gone = true
  }

  newSession(query: URLSearchParams, body: unknown): FakeReply {
    const session: Session = {
      id: hex(),
      tracks: [],
      channels: [],
      nextMid: 0,
      nextChannelId: 1,
      pendingOffer: false,
      gone: false,
      thirdparty: query.get('thirdparty') === 'true',
      ...(query.get('correlationId') ? { correlationId: query.get('correlationId')! } : {}),
    }
    this.sessions.set(session.id, session)
    const offer = isObject(body) && isObject(body.sessionDescription) ? body.sessionDescription : undefined
    if (offer && offer.type === 'offer' && typeof offer.sdp === 'string') {
      session.nextMid = parseSections(offer.sdp).length
      return {
        status: 201,
        body: {
          sessionId: session.id,
          sessionDescription: { type: 'answer', sdp: answerFor(offer.sdp, { iceLite: true }) },
        },
      }
    }
    return { status: 201, body: { sessionId: session.id } }
  }

  /** The session, or the reply for an unknown / expired one. */
  session(id: string): Session | FakeReply {
    const s = this.sessions.get(id)
    if (!s || s.gone) {
      return {
        status: 410,
        body: { errorCode: 'session_error', errorDescription: 'Session is not found or has expired' },
      }
    }
    return s
  }

  tracksNew(s: Session, body: Json): FakeReply {
    const description = isObject(body.sessionDescription) ? body.sessionDescription : undefined
    if (description && description.type !== 'offer') {
      return {
        status: 406,
        body: { errorCode: 'invalid_session_description', errorDescription: 'Expected an offer' },
      }
    }
    const offer = str(description?.sdp)
    const offered = offer ? parseSections(offer) : []
    const results: Json[] = []
    let sfuOffers = false
    if (body.autoDiscover === true && offer) {
      for (const section of offered) {
        if (section.kind === 'application' || s.tracks.some((t) => t.mid === section.mid)) continue
        const trackName = randomUUID()
        s.tracks.push({
          mid: section.mid,
          location: 'local',
          trackName,
          kind: section.kind,
          status: 'active',
          direction: 'recvonly',
        })
        results.push({ trackName, mid: section.mid })
      }
    }
    for (const t of list(body.tracks)) {
      const trackName = str(t.trackName)
      const injected = (trackName && this.itemErrors.get(trackName)) || undefined
      if (injected) {
        results.push({ ...pick(t, ['trackName', 'mid', 'sessionId']), ...injected })
        continue
      }
      if (t.location === 'local') {
        if (!trackName) return invalid('trackName is required for local tracks')
        if (
          s.tracks.some((x) => x.location === 'local' && x.trackName === trackName && x.status === 'active')
        ) {
          results.push({
            trackName,
            errorCode: 'repeated_local_track_error',
            errorDescription: 'Track name already in use',
          })
          continue
        }
        let mid: string
        let direction: MediaSection['direction'] = 'recvonly'
        if (offer) {
          mid = str(t.mid) ?? ''
          if (!offered.some((o) => o.mid === mid)) return invalid(`mid "${mid}" is not in the offer`)
        } else {
          if (!str(t.kind)) return invalid('kind is required when the SFU generates the offer')
          mid = String(s.nextMid++)
          direction = t.bidirectionalMediaStream === true ? 'sendrecv' : 'recvonly'
          sfuOffers = true
        }
        const kind = str(t.kind) ?? offered.find((o) => o.mid === mid)?.kind ?? 'audio'
        s.tracks.push({ mid, location: 'local', trackName, kind, status: 'active', direction })
        results.push({ trackName, mid })
      } else if (t.location === 'remote') {
        const publisherId = str(t.sessionId)
        if (!publisherId || !trackName)
          return invalid('sessionId and trackName are required for remote tracks')
        const source = this.sessions
          .get(publisherId)
          ?.tracks.find((x) => x.location === 'local' && x.trackName === trackName && x.status === 'active')
        if (!source) {
          results.push({ sessionId: publisherId, trackName, ...NOT_FOUND_TRACK })
          continue
        }
        const requested = str(t.mid)
        const reused = requested?.startsWith('#')
          ? s.tracks.find((x) => x.trackName === requested.slice(1) && x.direction === 'sendrecv')
          : undefined
        if (requested?.startsWith('#') && !reused)
          return invalid(`no bidirectional transceiver "${requested}"`)
        const mid = reused?.mid ?? String(s.nextMid++)
        const simulcast = isObject(t.simulcast) ? t.simulcast : undefined
        if (!reused) {
          s.tracks.push({
            mid,
            location: 'remote',
            trackName,
            sessionId: publisherId,
            kind: source.kind,
            status: 'active',
            direction: 'sendonly',
            ...(simulcast ? { simulcast } : {}),
          })
          sfuOffers = true
        }
        results.push({ sessionId: publisherId, trackName, mid, ...(simulcast ? { simulcast } : {}) })
      } else {
        return invalid('location must be "local" or "remote"')
      }
    }
    if (offer) {
      s.nextMid = Math.max(s.nextMid, offered.length)
      return {
        status: 200,
        body: {
          requiresImmediateRenegotiation: false,
          tracks: results,
          sessionDescription: { type: 'answer', sdp: answerFor(offer, { iceLite: true }) },
        },
      }
    }
    if (sfuOffers) {
      s.pendingOffer = true
      return {
        status: 200,
        body: { requiresImmediateRenegotiation: true, tracks: results, sessionDescription: this.sfuOffer(s) },
      }
    }
    return { status: 200, body: { requiresImmediateRenegotiation: false, tracks: results } }
  }

  renegotiate(s: Session, body: Json): FakeReply {
    const description = isObject(body.sessionDescription) ? body.sessionDescription : undefined
    if (!description || description.type !== 'answer' || !str(description.sdp)) {
      return {
        status: 406,
        body: { errorCode: 'invalid_session_description', errorDescription: 'Expected an answer' },
      }
    }
    if (!s.pendingOffer) {
      return {
        status: 406,
        body: { errorCode: 'session_error', errorDescription: 'No offer is waiting for an answer' },
      }
    }
    s.pendingOffer = false
    return { status: 200, body: {} }
  }

  tracksClose(s: Session, body: Json): FakeReply {
    const mids = list(body.tracks)
    if (typeof body.force !== 'boolean') return invalid('force is required')
    if (mids.length === 0) return invalid('tracks must not be empty')
    const description = isObject(body.sessionDescription) ? body.sessionDescription : undefined
    if (!body.force && (description?.type !== 'offer' || !str(description.sdp))) {
      return invalid('a negotiated close needs the endpoint offer')
    }
    const tracks = mids.map((item) => {
      const mid = str(item.mid) ?? ''
      const injected = this.itemErrors.get(mid)
      if (injected) return { mid, ...injected }
      const track = s.tracks.find((t) => t.mid === mid && t.status === 'active')
      if (!track) {
        return {
          mid,
          errorCode: 'close_track_error',
          errorDescription: "Track doesn't exist or was already closed",
        }
      }
      track.status = 'inactive'
      return { mid }
    })
    return {
      status: 200,
      body: {
        requiresImmediateRenegotiation: false,
        tracks,
        ...(body.force
          ? {}
          : {
              sessionDescription: {
                type: 'answer',
                sdp: answerFor(str(description?.sdp) ?? '', { iceLite: true }),
              },
            }),
      },
    }
  }

  tracksUpdate(s: Session, body: Json): FakeReply {
    const items = list(body.tracks)
    if (items.length === 0) return invalid('tracks must not be empty')
    const tracks = items.map((t) => {
      const mid = str(t.mid) ?? ''
      const track = s.tracks.find((x) => x.mid === mid && x.status === 'active')
      if (!track)
        return { mid, errorCode: 'update_track_error', errorDescription: 'No active track with this mid' }
      const publisherId = str(t.sessionId)
      const trackName = str(t.trackName)
      if (publisherId && trackName) {
        const source = this.sessions
          .get(publisherId)
          ?.tracks.find((x) => x.trackName === trackName && x.location === 'local')
        if (!source) return { mid, sessionId: publisherId, trackName, ...NOT_FOUND_TRACK }
        track.sessionId = publisherId
        track.trackName = trackName
      }
      if (isObject(t.simulcast)) track.simulcast = t.simulcast
      return {
        mid,
        ...(track.sessionId ? { sessionId: track.sessionId } : {}),
        trackName: track.trackName,
        ...(track.simulcast ? { simulcast: track.simulcast } : {}),
      }
    })
    return { status: 200, body: { requiresImmediateRenegotiation: false, tracks } }
  }

  getSession(s: Session): FakeReply {
    return {
      status: 200,
      body: {
        tracks: s.tracks.map((t) => ({
          location: t.location,
          mid: t.mid,
          ...(t.sessionId ? { sessionId: t.sessionId } : {}),
          trackName: t.trackName,
          status: t.status,
        })),
        dataChannels: s.channels.map((c) => ({
          location: c.location,
          ...(c.sessionId ? { sessionId: c.sessionId } : {}),
          dataChannelName: c.dataChannelName,
          id: c.id,
          status: c.status,
        })),
      },
    }
  }

  establish(s: Session, body: Json): FakeReply {
    const channel = isObject(body.dataChannel) ? body.dataChannel : undefined
    if (channel?.location !== 'remote' || channel.dataChannelName !== 'server-events') {
      return invalid('only the remote server-events channel can establish the transport')
    }
    const mid = s.channelTransportMid ?? String(s.nextMid++)
    s.channelTransportMid = mid
    if (!s.channels.some((c) => c.id === 0)) {
      s.channels.push({ id: 0, location: 'remote', dataChannelName: 'server-events', status: 'active' })
    }
    const description = isObject(body.sessionDescription) ? body.sessionDescription : undefined
    const dataChannel = { dataChannelName: 'server-events', id: 0 }
    if (description?.type === 'offer' && str(description.sdp)) {
      return {
        status: 200,
        body: {
          requiresImmediateRenegotiation: false,
          dataChannel,
          sessionDescription: { type: 'answer', sdp: answerFor(str(description.sdp)!, { iceLite: true }) },
        },
      }
    }
    s.pendingOffer = true
    return {
      status: 200,
      body: { requiresImmediateRenegotiation: true, dataChannel, sessionDescription: this.sfuOffer(s) },
    }
  }

  dataChannels(s: Session, body: Json, op: 'new' | 'update' | 'close'): FakeReply {
    const items = list(body.dataChannels)
    if (items.length === 0) return invalid('dataChannels must not be empty')
    if (op === 'new' && s.channelTransportMid === undefined) {
      return invalid('establish a data channel transport first')
    }
    const dataChannels = items.map((dc) => {
      const name = str(dc.dataChannelName)
      const injected = name ? this.itemErrors.get(name) : undefined
      if (injected) return { ...pick(dc, ['location', 'sessionId', 'dataChannelName']), ...injected }
      if (op === 'close') {
        const found = s.channels.find((c) => c.id === dc.id && c.status === 'active')
        if (!found)
          return { id: dc.id, errorCode: 'invalid_params', errorDescription: 'Unknown data channel id' }
        found.status = 'inactive'
        return channelReply(found)
      }
      if (op === 'update') {
        const found = s.channels.find(
          (c) => c.location === 'remote' && c.sessionId === dc.sessionId && c.dataChannelName === name,
        )
        if (!found) return { ...pick(dc, ['sessionId', 'dataChannelName']), ...NOT_FOUND_TRACK }
        if (typeof dc.canReply === 'boolean') found.canReply = dc.canReply
        return channelReply(found)
      }
      if (!name) return { errorCode: 'invalid_params', errorDescription: 'dataChannelName is required' }
      if (dc.location === 'remote') {
        const publisher = str(dc.sessionId)
        const source = publisher
          ? this.sessions
              .get(publisher)
              ?.channels.find((c) => c.location === 'local' && c.dataChannelName === name)
          : undefined
        if (!source) return { sessionId: publisher, dataChannelName: name, ...NOT_FOUND_TRACK }
      }
      const channel: Channel = {
        id: s.nextChannelId++,
        location: dc.location === 'remote' ? 'remote' : 'local',
        dataChannelName: name,
        status: 'active',
        ...(dc.location === 'remote' ? { sessionId: str(dc.sessionId)! } : {}),
        ...(typeof dc.canReply === 'boolean' ? { canReply: dc.canReply } : {}),
      }
      s.channels.push(channel)
      return channelReply(channel)
    })
    return { status: 200, body: { dataChannels } }
  }

  /** The SFU's offer for the whole session, with the directions it sees. */
  private sfuOffer(s: Session): { type: 'offer'; sdp: string } {
    const sections: MediaSection[] = s.tracks.map((t) => ({
      kind: t.kind === 'video' ? 'video' : 'audio',
      mid: t.mid,
      direction: t.status === 'active' ? t.direction : 'inactive',
    }))
    if (s.channelTransportMid !== undefined) {
      sections.push({ kind: 'application', mid: s.channelTransportMid, direction: 'sendrecv' })
    }
    sections.sort((a, b) => Number(a.mid) - Number(b.mid))
    return { type: 'offer', sdp: buildSdp(sections, { iceLite: true }) }
  }
}

function channelReply(c: Channel): Json {
  return {
    location: c.location,
    ...(c.sessionId ? { sessionId: c.sessionId } : {}),
    dataChannelName: c.dataChannelName,
    id: c.id,
    ...(c.canReply !== undefined ? { canReply: c.canReply } : {}),
  }
}

function pick(source: Json, keys: readonly string[]): Json {
  return Object.fromEntries(keys.filter((k) => source[k] !== undefined).map((k) => [k, source[k]]))
}
