import { type FakeCallsState, hex, invalid, list, str, type FakeReply, type Json } from './FakeCallsState'

/**
 * The WebSocket adapter and TURN credential endpoints of the fake server, shaped like the OpenAPI examples: 200
 * when at least one adapter item succeeded, 503 when all failed, per-item `errorCode`s; TURN replies 201 with
 * `iceServers` including Cloudflare's port-53 URLs (which the client must drop for browsers), revoke 204.
 */
export class FakeAdaptersAndTurn {
  private readonly adapters = new Map<string, { closed: boolean }>()
  readonly turnCredentials = new Map<string, { revoked: boolean; expiresAt: number }>()

  constructor(private readonly state: FakeCallsState) {}

  adaptersNew(body: Json): FakeReply {
    const items = list(body.tracks)
    if (items.length < 1 || items.length > 4) return invalid(`Expecting at most 4 track in the request`)
    const tracks: Json[] = []
    for (const t of items) {
      const endpoint = str(t.endpoint)
      const trackName = str(t.trackName)
      if (!endpoint || !/^wss?:\/\//.test(endpoint) || !trackName)
        return invalid('endpoint and trackName are required')
      const host = new URL(endpoint).hostname
      if (host === 'localhost' || host.startsWith('127.')) {
        tracks.push({
          trackName,
          errorCode: 'websocket_localhost_not_allowed',
          errorDescription: 'Localhost endpoints are not allowed',
        })
        continue
      }
      if (host.includes('unreachable')) {
        tracks.push({
          trackName,
          errorCode: 'websocket_handshake_failed',
          errorDescription: 'The handshake with the provided endpoint failed.',
        })
        continue
      }
      const adapterId = hex()
      this.adapters.set(adapterId, { closed: false })
      if (t.location === 'local') {
        if (t.inputCodec !== 'pcm') return invalid('inputCodec must be pcm')
        const session = this.state.newSession(new URLSearchParams(), undefined).body as { sessionId: string }
        this.state.sessions.get(session.sessionId)!.tracks.push({
          mid: '0',
          location: 'local',
          trackName,
          kind: 'audio',
          status: 'active',
          direction: 'recvonly',
        })
        tracks.push({ trackName, adapterId, sessionId: session.sessionId, endpoint })
      } else {
        if (!str(t.sessionId) || (t.outputCodec !== 'pcm' && t.outputCodec !== 'jpeg')) {
          return invalid('sessionId and outputCodec are required for remote adapters')
        }
        tracks.push({ trackName, adapterId, endpoint })
      }
    }
    return { status: tracks.every((t) => t.errorCode) ? 503 : 200, body: { tracks } }
  }

  adaptersClose(body: Json): FakeReply {
    const items = list(body.tracks)
    if (items.length < 1 || items.length > 4) return invalid('Expecting at most 4 track in the request')
    const tracks = items.map((t) => {
      const adapterId = str(t.adapterId) ?? ''
      const adapter = this.adapters.get(adapterId)
      if (!adapter)
        return { adapterId, errorCode: 'adapter_not_found', errorDescription: 'Adapter not found' }
      if (adapter.closed) return { adapterId }
      adapter.closed = true
      return { adapterId, bytesProcessed: 83492 }
    })
    return { status: tracks.every((t) => 'errorCode' in t) ? 503 : 200, body: { tracks } }
  }

  turnGenerate(body: Json, host: string): FakeReply {
    const ttl = body.ttl
    if (typeof ttl !== 'number' || !Number.isInteger(ttl) || ttl < 1 || ttl > 172_800) {
      return { status: 400, body: { errorCode: 'invalid_params', errorDescription: 'ttl must be 1..172800' } }
    }
    const username = hex()
    const credential = hex(24)
    this.turnCredentials.set(username, { revoked: false, expiresAt: Date.now() + ttl * 1000 })
    const turn = (scheme: string, port: number, transport: string) =>
      `${scheme}:${host}:${port}?transport=${transport}`
    return {
      status: 201,
      body: {
        iceServers: [
          { urls: ['stun:stun.cloudflare.com:3478', 'stun:stun.cloudflare.com:53'] },
          {
            urls: [
              turn('turn', 3478, 'udp'),
              turn('turn', 53, 'udp'),
              turn('turn', 3478, 'tcp'),
              turn('turn', 80, 'tcp'),
              turn('turns', 5349, 'tcp'),
              turn('turns', 443, 'tcp'),
            ],
            username,
            credential,
          },
        ],
      },
    }
  }

  turnRevoke(username: string): FakeReply {
    const entry = this.turnCredentials.get(username)
    if (entry) entry.revoked = true
    return { status: 204 }
  }
}
