import { z } from 'zod'

/**
 * Wire schemas of the Calls (Cloudflare Realtime SFU) HTTP API, following the official OpenAPI
 * (`cloudflare/cloudflare-docs` `public/realtime/static/realtime-api-2024-05-21.yaml`).
 *
 * Two kinds of schema live here:
 * - Requests are what *we* send. They are strict (unknown keys rejected) and bounded, so they double as the IPC
 *   input schemas and catch our own bugs before a byte leaves the machine.
 * - Responses are what a server sends. They are tolerant: unknown fields are dropped, not rejected, and fields
 *   whose value sets changed between API versions (resource `status`, simulcast strategies) accept any string.
 *   Everything the OpenAPI leaves optional is optional here, except a `SessionDescription`'s `type` and `sdp`,
 *   which a reply must carry for the description to be usable at all.
 */

// ---------------------------------------------------------------------------------------------------------------
// Shared pieces

/** Session ids go into URL paths, so they are restricted to characters that need no escaping. */
export const SessionId = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,128}$/, 'must be a Calls session id (letters, digits, - or _)')
export const TrackName = z.string().min(1).max(256)
/** A transceiver mid, or `#<trackName>` to reference an existing transceiver by its track name. */
export const Mid = z.string().min(1).max(257)
/** 512 KiB: far above a 64-track session's SDP, far below anything that would hurt IPC. */
export const Sdp = z
  .string()
  .min(1)
  .max(512 * 1024)

export const SdpType = z.enum(['offer', 'answer'])
export const SessionDescription = z.strictObject({ type: SdpType, sdp: Sdp })
export type SessionDescription = z.infer<typeof SessionDescription>

/** A description inside a reply: both fields required (a description without SDP cannot be applied). */
export const SessionDescriptionReply = z.object({ type: SdpType, sdp: z.string() })

export const Location = z.enum(['local', 'remote'])
export const SimulcastStrategy = z.enum(['none', 'asciibetical'])

/** Per-item and top-level error fields that any reply may carry. */
const ErrorFields = {
  errorCode: z.string().optional(),
  errorDescription: z.string().optional(),
}

// ---------------------------------------------------------------------------------------------------------------
// Tracks

export const Simulcast = z.strictObject({
  /** Preferred RID; '' lets the SFU choose (Orange's default). */
  preferredRid: z.string().max(32).optional(),
  priorityOrdering: SimulcastStrategy.optional(),
  ridNotAvailable: SimulcastStrategy.optional(),
})

export const TrackObject = z.strictObject({
  location: Location.optional(),
  mid: Mid.optional(),
  /** Session id of the track owner; set for remote tracks only. */
  sessionId: SessionId.optional(),
  trackName: TrackName.optional(),
  /** Works only when the SFU generates the offer. */
  bidirectionalMediaStream: z.boolean().optional(),
  /** Transceiver kind hint; required when the SFU generates the offer. */
  kind: z.string().min(1).max(32).optional(),
  simulcast: Simulcast.optional(),
})
export type TrackObject = z.infer<typeof TrackObject>

/** Calls accepts at most 64 tracks per call. */
export const MAX_TRACKS_PER_CALL = 64

export const TracksRequest = z.strictObject({
  sessionDescription: SessionDescription.optional(),
  tracks: z.array(TrackObject).max(MAX_TRACKS_PER_CALL).optional(),
  /** Assign a random track name to any new track in the offered SDP. */
  autoDiscover: z.boolean().optional(),
})
export type TracksRequest = z.infer<typeof TracksRequest>

const SimulcastReply = z.object({
  preferredRid: z.string().optional(),
  priorityOrdering: z.string().optional(),
  ridNotAvailable: z.string().optional(),
})

export const TrackReply = z.object({
  location: Location.optional(),
  mid: z.string().optional(),
  sessionId: z.string().optional(),
  trackName: z.string().optional(),
  bidirectionalMediaStream: z.boolean().optional(),
  kind: z.string().optional(),
  simulcast: SimulcastReply.optional(),
  ...ErrorFields,
})
export type TrackReply = z.infer<typeof TrackReply>

export const TracksResponse = z.object({
  ...ErrorFields,
  requiresImmediateRenegotiation: z.boolean().optional(),
  sessionDescription: SessionDescriptionReply.optional(),
  tracks: z.array(TrackReply).optional(),
})
export type TracksResponse = z.infer<typeof TracksResponse>

// ---------------------------------------------------------------------------------------------------------------
// Sessions

/** Valid although missing from the OpenAPI (cloudflare-docs#28488): an offer with the new session. */
export const NewSessionRequest = z.strictObject({ sessionDescription: SessionDescription.optional() })
export type NewSessionRequest = z.infer<typeof NewSessionRequest>

export const NewSessionQuery = z.strictObject({
  /** The session will connect to an ICE-lite peer such as another SFU or server. */
  thirdparty: z.boolean().optional(),
  /** A diagnostic label only: not an idempotency key, and there is no lookup by it. */
  correlationId: z
    .string()
    .min(1)
    .max(256)
    .refine((s) => !/\p{Cc}/u.test(s), 'must not contain control characters')
    .optional(),
})
export type NewSessionQuery = z.infer<typeof NewSessionQuery>

export const NewSessionResponse = z.object({
  ...ErrorFields,
  sessionDescription: SessionDescriptionReply.optional(),
  sessionId: z.string().min(1),
})
export type NewSessionResponse = z.infer<typeof NewSessionResponse>

export const RenegotiateRequest = z.strictObject({ sessionDescription: SessionDescription })
export type RenegotiateRequest = z.infer<typeof RenegotiateRequest>

export const RenegotiateResponse = z.object({
  ...ErrorFields,
  sessionDescription: SessionDescriptionReply.optional(),
})
export type RenegotiateResponse = z.infer<typeof RenegotiateResponse>

export const CloseTrackObject = z.strictObject({ mid: Mid })

export const CloseTracksRequest = z.strictObject({
  sessionDescription: SessionDescription.optional(),
  tracks: z.array(CloseTrackObject).min(1).max(MAX_TRACKS_PER_CALL),
  /** true: stop media without an SDP exchange; false: `sessionDescription` must hold the endpoint's offer. */
  force: z.boolean(),
})
export type CloseTracksRequest = z.infer<typeof CloseTracksRequest>

export const CloseTrackReply = z.object({ mid: z.string().optional(), ...ErrorFields })
export const CloseTracksResponse = z.object({
  ...ErrorFields,
  sessionDescription: SessionDescriptionReply.optional(),
  tracks: z.array(CloseTrackReply).optional(),
  requiresImmediateRenegotiation: z.boolean().optional(),
})
export type CloseTracksResponse = z.infer<typeof CloseTracksResponse>

export const UpdateTracksRequest = z.strictObject({
  tracks: z.array(TrackObject).min(1).max(MAX_TRACKS_PER_CALL),
  sessionDescription: SessionDescription.optional(),
})
export type UpdateTracksRequest = z.infer<typeof UpdateTracksRequest>

export const UpdateTracksResponse = z.object({
  ...ErrorFields,
  requiresImmediateRenegotiation: z.boolean().optional(),
  tracks: z.array(TrackReply).optional(),
})
export type UpdateTracksResponse = z.infer<typeof UpdateTracksResponse>

/** `active | inactive | initializing` today (`waiting` in the older schema): any string is accepted. */
export const SessionResourceStatus = z.string()

export const SessionDataChannelState = z.object({
  location: Location.optional(),
  sessionId: z.string().optional(),
  dataChannelName: z.string().optional(),
  id: z.number().int().optional(),
  status: SessionResourceStatus.optional(),
})

export const GetSessionStateResponse = z.object({
  ...ErrorFields,
  tracks: z.array(TrackReply.extend({ status: SessionResourceStatus.optional() })).optional(),
  dataChannels: z.array(SessionDataChannelState).optional(),
})
export type GetSessionStateResponse = z.infer<typeof GetSessionStateResponse>

// ---------------------------------------------------------------------------------------------------------------
// DataChannels

const Retransmits = z.number().int().min(0).max(65_535)

export const DataChannelObject = z
  .strictObject({
    location: Location.optional(),
    /** Session id of the channel owner; set for remote channels only. */
    sessionId: SessionId.optional(),
    dataChannelName: z.string().min(1).max(256).optional(),
    ordered: z.boolean().optional(),
    maxRetransmits: Retransmits.optional(),
    maxPacketLifeTime: Retransmits.optional(),
    waitForAck: z.boolean().optional(),
    canReply: z.boolean().optional(),
    id: z.number().int().min(0).max(65_535).optional(),
  })
  .refine(
    (dc) => dc.maxRetransmits === undefined || dc.maxPacketLifeTime === undefined,
    'maxRetransmits and maxPacketLifeTime are mutually exclusive',
  )
export type DataChannelObject = z.infer<typeof DataChannelObject>

export const DataChannelsRequest = z.strictObject({
  dataChannels: z.array(DataChannelObject).min(1).max(MAX_TRACKS_PER_CALL),
})
export type DataChannelsRequest = z.infer<typeof DataChannelsRequest>

export const DataChannelReply = z.object({
  location: Location.optional(),
  sessionId: z.string().optional(),
  dataChannelName: z.string().optional(),
  ordered: z.boolean().optional(),
  maxRetransmits: z.number().optional(),
  maxPacketLifeTime: z.number().optional(),
  waitForAck: z.boolean().optional(),
  canReply: z.boolean().optional(),
  id: z.number().optional(),
  ...ErrorFields,
})
export type DataChannelReply = z.infer<typeof DataChannelReply>

export const DataChannelsResponse = z.object({
  ...ErrorFields,
  dataChannels: z.array(DataChannelReply).optional(),
})
export type DataChannelsResponse = z.infer<typeof DataChannelsResponse>

export const EstablishDataChannelsTransportRequest = z.strictObject({
  sessionDescription: SessionDescription.optional(),
  dataChannel: DataChannelObject,
})
export type EstablishDataChannelsTransportRequest = z.infer<typeof EstablishDataChannelsTransportRequest>

export const EstablishDataChannelsTransportResponse = z.object({
  ...ErrorFields,
  sessionDescription: SessionDescriptionReply.optional(),
  requiresImmediateRenegotiation: z.boolean().optional(),
  dataChannel: DataChannelReply.optional(),
})
export type EstablishDataChannelsTransportResponse = z.infer<typeof EstablishDataChannelsTransportResponse>

export const CloseDataChannelsRequest = DataChannelsRequest
export type CloseDataChannelsRequest = DataChannelsRequest
export const CloseDataChannelsResponse = DataChannelsResponse
export type CloseDataChannelsResponse = DataChannelsResponse

// ---------------------------------------------------------------------------------------------------------------
// WebSocket adapters (beta)

const AdapterEndpoint = z
  .string()
  .min(1)
  .max(2048)
  .regex(/^wss?:\/\//, 'must be a ws:// or wss:// URL')
  .refine((s) => URL.canParse(s), 'must be a valid URL')

/** Ingest: the SFU dials `endpoint` and publishes the PCM it receives as a new track in a new session. */
export const LocalAdapter = z.strictObject({
  location: z.literal('local'),
  trackName: TrackName,
  endpoint: AdapterEndpoint,
  inputCodec: z.literal('pcm'),
  mode: z.enum(['stream', 'buffer']).optional(),
})

/** Egress: the SFU streams an existing track to `endpoint` (PCM for audio, JPEG for video). */
export const RemoteAdapter = z.strictObject({
  location: z.literal('remote'),
  sessionId: SessionId,
  trackName: TrackName,
  endpoint: AdapterEndpoint,
  outputCodec: z.enum(['pcm', 'jpeg']),
  mode: z.enum(['stream', 'buffer']).optional(),
})

export const NewAdapterRequest = z.strictObject({
  tracks: z
    .array(z.discriminatedUnion('location', [LocalAdapter, RemoteAdapter]))
    .min(1)
    .max(4),
})
export type NewAdapterRequest = z.infer<typeof NewAdapterRequest>

export const AdapterReply = z.object({
  location: Location.optional(),
  sessionId: z.string().optional(),
  trackName: z.string().optional(),
  endpoint: z.string().optional(),
  outputCodec: z.string().optional(),
  inputCodec: z.string().optional(),
  mode: z.string().optional(),
  adapterId: z.string().optional(),
  ...ErrorFields,
})
export type AdapterReply = z.infer<typeof AdapterReply>

export const NewAdapterResponse = z.object({ ...ErrorFields, tracks: z.array(AdapterReply).optional() })
export type NewAdapterResponse = z.infer<typeof NewAdapterResponse>

export const CloseAdapterRequest = z.strictObject({
  tracks: z
    .array(z.strictObject({ adapterId: z.string().min(1).max(128) }))
    .min(1)
    .max(4),
})
export type CloseAdapterRequest = z.infer<typeof CloseAdapterRequest>

export const AdapterStatReply = z.object({
  adapterId: z.string().optional(),
  /** Omitted when unavailable (already closed); omission does not mean zero. */
  bytesProcessed: z.number().optional(),
  ...ErrorFields,
})
export type AdapterStatReply = z.infer<typeof AdapterStatReply>
export const CloseAdapterResponse = z.object({ ...ErrorFields, tracks: z.array(AdapterStatReply).optional() })
export type CloseAdapterResponse = z.infer<typeof CloseAdapterResponse>

/** The body of a request-level failure (400, 401, 404, 406, 410, ...). */
export const ApiErrorBody = z.object({ errorCode: z.string(), errorDescription: z.string().optional() })
export type ApiErrorBody = z.infer<typeof ApiErrorBody>

// ---------------------------------------------------------------------------------------------------------------
// TURN (`/v1/turn/keys/{keyId}/credentials/...`)

/** TTL in seconds; Cloudflare allows at most 48 hours. */
export const TurnTtlSeconds = z
  .number()
  .int()
  .min(60)
  .max(48 * 3600)

export const GenerateIceServersRequest = z.strictObject({
  ttl: TurnTtlSeconds,
  customIdentifier: z.string().min(1).max(256).optional(),
})
export type GenerateIceServersRequest = z.infer<typeof GenerateIceServersRequest>

/** `urls` is a string or a list (RTCIceServer); the older `/credentials/generate` returns one object. */
export const IceServerReply = z.object({
  urls: z.union([z.string(), z.array(z.string())]),
  username: z.string().optional(),
  credential: z.string().optional(),
})
export type IceServerReply = z.infer<typeof IceServerReply>

export const GenerateIceServersResponse = z.object({
  iceServers: z.union([z.array(IceServerReply), IceServerReply]),
})
export type GenerateIceServersResponse = z.infer<typeof GenerateIceServersResponse>
