import type { RTCDataChannel } from 'werift'
import type {
  DataChannelObject,
  DataChannelReply,
  DataChannelsRequest,
  DataChannelsResponse,
  EstablishDataChannelsTransportRequest,
  EstablishDataChannelsTransportResponse,
} from '../../shared/calls/schemas'
import { CallsApiError, itemErrors } from './errors'
import type { SfuPeer } from './SfuPeer'

/** The channel Calls creates with `datachannels/establish`; we use id 0 for it. */
export const SERVER_EVENTS = 'server-events'

interface DcSubscriber {
  readonly channel: RTCDataChannel
  /** waitForAck: nothing is delivered until the subscriber's first message (which is consumed). */
  acked: boolean
  canReply: boolean
}

/** A channel pushed by one session (`location: local`), fanned out to every session that pulled it. */
class DcPublication {
  readonly subscribers = new Set<DcSubscriber>()
  private readonly unsubscribe: () => void

  constructor(readonly channel: RTCDataChannel) {
    const sub = channel.onMessage.subscribe((message) => {
      for (const s of this.subscribers) {
        if (s.acked && s.channel.readyState === 'open') s.channel.send(message)
      }
    })
    this.unsubscribe = () => sub.unSubscribe()
  }

  close(): void {
    this.unsubscribe()
    for (const s of this.subscribers) s.channel.close()
    this.subscribers.clear()
  }
}

/** At most one subscriber per publication may reply; granting it to one revokes it from the others. */
function grantReply(pub: DcPublication, subscriber: DcSubscriber): void {
  for (const s of pub.subscribers) s.canReply = false
  subscriber.canReply = true
}

/** SFU-wide directory of published data channels, by `<sessionId>/<name>`. */
export class DataChannelRegistry {
  private readonly pubs = new Map<string, DcPublication>()

  get size(): number {
    return this.pubs.size
  }

  find(sessionId: string, name: string): DcPublication | undefined {
    return this.pubs.get(`${sessionId}/${name}`)
  }

  publish(sessionId: string, name: string, channel: RTCDataChannel): DcPublication {
    const pub = new DcPublication(channel)
    this.pubs.set(`${sessionId}/${name}`, pub)
    return pub
  }

  unpublish(sessionId: string, name: string): void {
    const key = `${sessionId}/${name}`
    this.pubs.get(key)?.close()
    this.pubs.delete(key)
  }
}

interface DcRecord {
  readonly id: number
  readonly location: 'local' | 'remote'
  readonly name: string
  /** For remote channels: the publisher's session. */
  readonly sessionId?: string
  readonly channel: RTCDataChannel
  /** For remote channels: this session's subscription to the publication. */
  readonly subscriber?: DcSubscriber
  readonly publication?: DcPublication
  readonly dispose: () => void
}

/**
 * One session's data channels. All of them are pre-negotiated (`negotiated: true`, id chosen here), as in Calls:
 * the client creates its RTCDataChannel with the id from the reply, and no DCEP handshake is involved.
 */
export class SessionDataChannels {
  private readonly records = new Map<number, DcRecord>()

  constructor(
    private readonly peer: SfuPeer,
    private readonly sessionId: string,
    private readonly registry: DataChannelRegistry,
  ) {}

  private get pc(): SfuPeer['pc'] {
    return this.peer.pc
  }

  /** Whether the SCTP transport exists (an application m-line was negotiated or is being offered). */
  get hasTransport(): boolean {
    return this.pc.sctpTransport !== undefined
  }

  /**
   * `datachannels/establish`: the SCTP transport, with `server-events` as channel 0. From the client's offer with
   * an application m-line, or from ours (the client answers through `renegotiate`), or nothing to do when the
   * session already has one.
   */
  async establish(
    req: EstablishDataChannelsTransportRequest,
  ): Promise<EstablishDataChannelsTransportResponse> {
    const dataChannel = { location: 'remote' as const, dataChannelName: SERVER_EVENTS, id: 0 }
    if (req.sessionDescription) {
      this.peer.requireStable()
      const sdp = await this.peer.answer(req.sessionDescription)
      this.ensureServerEvents()
      return {
        requiresImmediateRenegotiation: false,
        sessionDescription: { type: 'answer', sdp },
        dataChannel,
      }
    }
    if (this.hasTransport) {
      this.ensureServerEvents()
      return { requiresImmediateRenegotiation: false, dataChannel }
    }
    this.peer.requireStable()
    this.ensureServerEvents()
    const sdp = await this.peer.createOffer()
    return { requiresImmediateRenegotiation: true, sessionDescription: { type: 'offer', sdp }, dataChannel }
  }

  /** `datachannels/new`. */
  async open(req: DataChannelsRequest): Promise<DataChannelsResponse> {
    if (!this.hasTransport) {
      throw CallsApiError.invalidParams(
        'Establish the data channel transport first (datachannels/establish).',
      )
    }
    return { dataChannels: this.add(req.dataChannels) }
  }

  /** Create `server-events` (id 0); this also makes werift add an application m-line to its next offer. */
  ensureServerEvents(): void {
    if (this.records.has(0)) return
    const channel = this.pc.createDataChannel(SERVER_EVENTS, { negotiated: true, id: 0 })
    this.records.set(0, { id: 0, location: 'remote', name: SERVER_EVENTS, channel, dispose: () => undefined })
  }

  add(items: readonly DataChannelObject[]): DataChannelReply[] {
    return items.map((item) => this.addOne(item))
  }

  /** `datachannels/update`: grant or revoke `canReply` on pulled channels. */
  update(items: readonly DataChannelObject[]): DataChannelReply[] {
    return items.map((item) => {
      const record = [...this.records.values()].find(
        (r) =>
          r.location === 'remote' &&
          (item.id !== undefined
            ? r.id === item.id
            : r.sessionId === item.sessionId && r.name === item.dataChannelName),
      )
      if (!record?.subscriber || !record.publication) {
        return { ...item, ...itemErrors.invalid('This session has not pulled that data channel.') }
      }
      if (item.canReply === true) grantReply(record.publication, record.subscriber)
      else if (item.canReply === false) record.subscriber.canReply = false
      return {
        location: 'remote',
        sessionId: record.sessionId,
        dataChannelName: record.name,
        id: record.id,
        canReply: record.subscriber.canReply,
      }
    })
  }

  close(items: readonly DataChannelObject[]): DataChannelReply[] {
    return items.map((item) => {
      const record = item.id !== undefined ? this.records.get(item.id) : this.byName(item)
      if (!record) return { ...item, ...itemErrors.invalid('No data channel with that id on this session.') }
      this.drop(record)
      return {
        location: record.location,
        dataChannelName: record.name,
        id: record.id,
        ...(record.sessionId ? { sessionId: record.sessionId } : {}),
      }
    })
  }

  list(): {
    location: 'local' | 'remote'
    sessionId?: string
    dataChannelName: string
    id: number
    status: string
  }[] {
    return [...this.records.values()].map((r) => ({
      location: r.location,
      ...(r.sessionId ? { sessionId: r.sessionId } : {}),
      dataChannelName: r.name,
      id: r.id,
      status:
        r.channel.readyState === 'open'
          ? 'active'
          : r.channel.readyState === 'connecting'
            ? 'initializing'
            : 'inactive',
    }))
  }

  closeAll(): void {
    for (const record of [...this.records.values()]) this.drop(record)
  }

  private addOne(item: DataChannelObject): DataChannelReply {
    const name = item.dataChannelName
    if (!name) return { ...item, ...itemErrors.invalid('dataChannelName is required.') }
    const policy = {
      ordered: item.ordered ?? true,
      ...(item.maxRetransmits !== undefined ? { maxRetransmits: item.maxRetransmits } : {}),
      ...(item.maxPacketLifeTime !== undefined ? { maxPacketLifeTime: item.maxPacketLifeTime } : {}),
    }
    if (item.location === 'remote') {
      if (!item.sessionId)
        return { ...item, ...itemErrors.invalid('sessionId is required for remote channels.') }
      const pub = this.registry.find(item.sessionId, name)
      if (!pub) {
        return {
          ...item,
          errorCode: 'not_found_track_error',
          errorDescription: `Data channel ${item.sessionId}/${name} is not published.`,
        }
      }
      const id = this.freeId()
      const channel = this.pc.createDataChannel(name, { negotiated: true, id, ...policy })
      const subscriber: DcSubscriber = { channel, acked: !item.waitForAck, canReply: item.canReply === true }
      const sub = channel.onMessage.subscribe((message) => {
        if (!subscriber.acked) subscriber.acked = true
        else if (subscriber.canReply && pub.channel.readyState === 'open') pub.channel.send(message)
      })
      pub.subscribers.add(subscriber)
      if (subscriber.canReply) grantReply(pub, subscriber)
      this.records.set(id, {
        id,
        location: 'remote',
        name,
        sessionId: item.sessionId,
        channel,
        subscriber,
        publication: pub,
        dispose: () => {
          sub.unSubscribe()
          pub.subscribers.delete(subscriber)
        },
      })
      return {
        location: 'remote',
        sessionId: item.sessionId,
        dataChannelName: name,
        id,
        ...(subscriber.canReply ? { canReply: true } : {}),
      }
    }
    if (this.registry.find(this.sessionId, name)) {
      return {
        ...item,
        ...itemErrors.invalid(`This session already publishes a data channel named ${name}.`),
      }
    }
    const id = this.freeId()
    const channel = this.pc.createDataChannel(name, { negotiated: true, id, ...policy })
    this.registry.publish(this.sessionId, name, channel)
    this.records.set(id, {
      id,
      location: 'local',
      name,
      channel,
      dispose: () => this.registry.unpublish(this.sessionId, name),
    })
    return { location: 'local', dataChannelName: name, id }
  }

  private byName(item: DataChannelObject): DcRecord | undefined {
    return [...this.records.values()].find(
      (r) => r.name === item.dataChannelName && (item.location === undefined || r.location === item.location),
    )
  }

  private drop(record: DcRecord): void {
    record.dispose()
    record.channel.close()
    this.records.delete(record.id)
  }

  private freeId(): number {
    for (let id = 1; id < 65_535; id++) if (!this.records.has(id)) return id
    throw new Error('no free data channel id')
  }
}
