import { z } from 'zod'
import {
  CloseTracksRequest,
  DataChannelReply,
  DataChannelsRequest,
  EstablishDataChannelsTransportRequest,
  NewSessionQuery,
  NewSessionRequest,
  RenegotiateRequest,
  SessionDataChannelState,
  SessionDescriptionReply,
  SessionId,
  TrackReply,
  TracksRequest,
  UpdateTracksRequest,
} from './schemas'

/**
 * What crosses IPC for Calls: requests are the wire requests plus the `sessionId` of the URL path (strict and
 * bounded, since they come from the renderer); results are normalised replies (missing lists become `[]`,
 * per-item failures are collected in `failures`). No credential appears in any of them: main adds the
 * Authorization header after the request has left the renderer's hands.
 */

export const BackendTarget = z.enum(['cloudflare', 'worker', 'local'])
export type BackendTarget = z.infer<typeof BackendTarget>

// ---------------------------------------------------------------------------------------------------------------
// Requests (renderer → main)

export const NewSessionCall = NewSessionRequest.extend(NewSessionQuery.shape)
export type NewSessionCall = z.infer<typeof NewSessionCall>
export const NewTracksCall = TracksRequest.extend({ sessionId: SessionId })
export type NewTracksCall = z.infer<typeof NewTracksCall>
export const RenegotiateCall = RenegotiateRequest.extend({ sessionId: SessionId })
export type RenegotiateCall = z.infer<typeof RenegotiateCall>
export const CloseTracksCall = CloseTracksRequest.extend({ sessionId: SessionId })
export type CloseTracksCall = z.infer<typeof CloseTracksCall>
export const UpdateTracksCall = UpdateTracksRequest.extend({ sessionId: SessionId })
export type UpdateTracksCall = z.infer<typeof UpdateTracksCall>
export const GetSessionCall = z.strictObject({ sessionId: SessionId })
export type GetSessionCall = z.infer<typeof GetSessionCall>
export const EstablishDataChannelsCall = EstablishDataChannelsTransportRequest.extend({
  sessionId: SessionId,
})
export type EstablishDataChannelsCall = z.infer<typeof EstablishDataChannelsCall>
export const DataChannelsCall = DataChannelsRequest.extend({ sessionId: SessionId })
export type DataChannelsCall = z.infer<typeof DataChannelsCall>

export const GetIceServersCall = z.strictObject({
  /** Mint new credentials even if the cached ones are still fresh (after an ICE failure, say). */
  forceRefresh: z.boolean().optional(),
})
export const GetApiHistoryCall = z.strictObject({ limit: z.number().int().min(1).max(500).optional() })

// ---------------------------------------------------------------------------------------------------------------
// Results (main → renderer)

/** One item of a batch that failed inside an otherwise successful (HTTP 200) reply. */
export const ItemFailure = z.object({
  /** Position of the item in the request (and reply) list. */
  index: z.number().int(),
  mid: z.string().optional(),
  trackName: z.string().optional(),
  dataChannelName: z.string().optional(),
  adapterId: z.string().optional(),
  errorCode: z.string(),
  errorDescription: z.string(),
  /** Trying this item again later can succeed (e.g. the publisher was not sending yet). */
  retryable: z.boolean(),
})
export type ItemFailure = z.infer<typeof ItemFailure>

export const NewSessionResult = z.object({
  sessionId: z.string(),
  sessionDescription: SessionDescriptionReply.optional(),
})
export type NewSessionResult = z.infer<typeof NewSessionResult>

export const TracksResult = z.object({
  requiresImmediateRenegotiation: z.boolean(),
  sessionDescription: SessionDescriptionReply.optional(),
  tracks: z.array(TrackReply),
  /** Empty when every track succeeded. Apply `sessionDescription` either way, then deal with these. */
  failures: z.array(ItemFailure),
})
export type TracksResult = z.infer<typeof TracksResult>

export const RenegotiateResult = z.object({ sessionDescription: SessionDescriptionReply.optional() })
export type RenegotiateResult = z.infer<typeof RenegotiateResult>

export const CloseTracksResult = z.object({
  requiresImmediateRenegotiation: z.boolean(),
  sessionDescription: SessionDescriptionReply.optional(),
  tracks: z.array(
    z.object({
      mid: z.string(),
      /** Calls said the track did not exist or was already closed: it is cleaned up either way. */
      alreadyClosed: z.boolean(),
    }),
  ),
  failures: z.array(ItemFailure),
})
export type CloseTracksResult = z.infer<typeof CloseTracksResult>

export const UpdateTracksResult = z.object({
  requiresImmediateRenegotiation: z.boolean(),
  tracks: z.array(TrackReply),
  failures: z.array(ItemFailure),
})
export type UpdateTracksResult = z.infer<typeof UpdateTracksResult>

export const SessionState = z.object({
  tracks: z.array(TrackReply.extend({ status: z.string().optional() })),
  dataChannels: z.array(SessionDataChannelState),
})
export type SessionState = z.infer<typeof SessionState>

export const EstablishDataChannelsResult = z.object({
  requiresImmediateRenegotiation: z.boolean(),
  sessionDescription: SessionDescriptionReply.optional(),
  dataChannel: DataChannelReply.optional(),
})
export type EstablishDataChannelsResult = z.infer<typeof EstablishDataChannelsResult>

export const DataChannelsResult = z.object({
  dataChannels: z.array(DataChannelReply),
  failures: z.array(ItemFailure),
})
export type DataChannelsResult = z.infer<typeof DataChannelsResult>

/** An `RTCIceServer` with `urls` always a list. */
export const IceServer = z.object({
  urls: z.array(z.string()).min(1),
  username: z.string().optional(),
  credential: z.string().optional(),
})
export type IceServer = z.infer<typeof IceServer>

export const IceServersResult = z.object({
  iceServers: z.array(IceServer),
  /** Epoch ms when the TURN credentials stop working; null when there are none (STUN only, or local). */
  expiresAt: z.number().nullable(),
  /** Epoch ms after which the renderer should ask again and call `setConfiguration`; null = never. */
  refreshAt: z.number().nullable(),
})
export type IceServersResult = z.infer<typeof IceServersResult>

/** One HTTP exchange with the Calls or TURN API, redacted: no headers, secrets masked, bodies truncated. */
export const ApiExchange = z.object({
  id: z.number().int(),
  /** Epoch ms when the attempt started. */
  time: z.number(),
  target: BackendTarget,
  operation: z.string(),
  method: z.string(),
  /** Path below the target's base URL, e.g. `/sessions/abc/tracks/new`. */
  path: z.string(),
  sessionId: z.string().optional(),
  /** 1 for the first try of an operation, 2 for its first retry, ... */
  attempt: z.number().int(),
  durationMs: z.number(),
  /** HTTP status; absent when no reply arrived (network error, timeout). */
  status: z.number().int().optional(),
  request: z.unknown().optional(),
  response: z.unknown().optional(),
  error: z.object({ code: z.string(), reason: z.string(), message: z.string() }).optional(),
})
export type ApiExchange = z.infer<typeof ApiExchange>

export const ApiHistory = z.object({
  entries: z.array(ApiExchange),
  /** How many exchanges the buffer keeps; older ones are dropped. */
  capacity: z.number().int(),
})
export type ApiHistory = z.infer<typeof ApiHistory>
