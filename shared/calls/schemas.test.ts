import { describe, expect, it } from 'vitest'
import type { z } from 'zod'
import { requestExamples as req, responseExamples as res } from '../../test/helpers/fakeCalls/openapiExamples'
import { CALLS_API_ERROR_CODES, classifyApiErrorCode } from './errorCodes'
import { NewTracksCall } from './ipc'
import {
  ApiErrorBody,
  CloseAdapterRequest,
  CloseAdapterResponse,
  CloseDataChannelsRequest,
  CloseDataChannelsResponse,
  CloseTracksRequest,
  CloseTracksResponse,
  DataChannelsRequest,
  DataChannelsResponse,
  EstablishDataChannelsTransportRequest,
  EstablishDataChannelsTransportResponse,
  GenerateIceServersResponse,
  GetSessionStateResponse,
  NewAdapterRequest,
  NewAdapterResponse,
  NewSessionResponse,
  RenegotiateRequest,
  RenegotiateResponse,
  TracksRequest,
  TracksResponse,
  UpdateTracksRequest,
  UpdateTracksResponse,
} from './schemas'

/** Every named example parses. */
function accepts(schema: z.ZodType, examples: Record<string, unknown>, label: string) {
  for (const [name, example] of Object.entries(examples)) {
    const parsed = schema.safeParse(example)
    expect(parsed.success, `${label}/${name}: ${parsed.success ? '' : parsed.error.message}`).toBe(true)
  }
}

describe('Calls wire schemas follow the OpenAPI examples', () => {
  it('accepts every request example', () => {
    accepts(TracksRequest, req.tracksNew, 'tracks/new')
    accepts(RenegotiateRequest, { example: req.renegotiate }, 'renegotiate')
    accepts(CloseTracksRequest, req.tracksClose, 'tracks/close')
    accepts(UpdateTracksRequest, req.tracksUpdate, 'tracks/update')
    accepts(EstablishDataChannelsTransportRequest, req.establish, 'datachannels/establish')
    accepts(DataChannelsRequest, req.dataChannelsNew, 'datachannels/new')
    accepts(DataChannelsRequest, req.dataChannelsUpdate, 'datachannels/update')
    accepts(CloseDataChannelsRequest, { example: req.dataChannelsClose }, 'datachannels/close')
    accepts(NewAdapterRequest, req.adaptersNew, 'adapters/websocket/new')
    accepts(CloseAdapterRequest, { example: req.adaptersClose }, 'adapters/websocket/close')
  })

  it('accepts every response example', () => {
    accepts(NewSessionResponse, { example: res.newSession }, 'sessions/new')
    accepts(TracksResponse, res.tracksNew, 'tracks/new')
    accepts(RenegotiateResponse, { example: res.renegotiate }, 'renegotiate')
    accepts(CloseTracksResponse, res.tracksClose, 'tracks/close')
    accepts(UpdateTracksResponse, { success: res.tracksUpdate }, 'tracks/update')
    accepts(EstablishDataChannelsTransportResponse, res.establish, 'datachannels/establish')
    accepts(DataChannelsResponse, res.dataChannelsNew, 'datachannels/new')
    accepts(DataChannelsResponse, { grant_can_reply: res.dataChannelsUpdate }, 'datachannels/update')
    accepts(CloseDataChannelsResponse, { example: res.dataChannelsClose }, 'datachannels/close')
    accepts(GetSessionStateResponse, { example: res.getSession }, 'sessions/get')
    accepts(NewAdapterResponse, res.adaptersNew, 'adapters/websocket/new')
    accepts(CloseAdapterResponse, res.adaptersClose, 'adapters/websocket/close')
    accepts(ApiErrorBody, res.adapterRequestErrors, 'adapter errors')
  })

  it('tolerates unknown fields and newer enum values in replies', () => {
    const parsed = GetSessionStateResponse.parse({
      tracks: [{ location: 'local', mid: '2', trackName: 't', status: 'waiting', futureField: { a: 1 } }],
      dataChannels: [],
      somethingNew: true,
    })
    expect(parsed.tracks?.[0]?.status).toBe('waiting')
    expect(parsed).not.toHaveProperty('somethingNew')
    expect(
      TracksResponse.safeParse({ tracks: [{ mid: '1', simulcast: { priorityOrdering: 'bandwidth' } }] })
        .success,
    ).toBe(true)
  })

  it('accepts both TURN reply shapes (list and the older single object)', () => {
    expect(GenerateIceServersResponse.safeParse({ iceServers: [{ urls: ['stun:a:3478'] }] }).success).toBe(
      true,
    )
    expect(
      GenerateIceServersResponse.safeParse({
        iceServers: { urls: 'turn:a:3478', username: 'u', credential: 'c' },
      }).success,
    ).toBe(true)
  })

  it('rejects requests that would be wrong on the wire', () => {
    // Unknown keys (typos such as `trackname`, the cause of an Orange bug report) are refused.
    expect(TracksRequest.safeParse({ tracks: [{ location: 'local', trackname: 'x' }] }).success).toBe(false)
    expect(CloseTracksRequest.safeParse({ tracks: [{ mid: '1' }] }).success).toBe(false) // force is required
    expect(CloseTracksRequest.safeParse({ tracks: [], force: true }).success).toBe(false)
    expect(NewAdapterRequest.safeParse({ tracks: [] }).success).toBe(false)
    expect(
      NewAdapterRequest.safeParse({
        tracks: [{ location: 'local', trackName: 't', endpoint: 'https://x', inputCodec: 'pcm' }],
      }).success,
    ).toBe(false)
    expect(
      NewAdapterRequest.safeParse({
        tracks: [{ location: 'remote', trackName: 't', endpoint: 'wss://x', outputCodec: 'pcm' }],
      }).success,
    ).toBe(false)
    expect(
      DataChannelsRequest.safeParse({
        dataChannels: [{ location: 'local', dataChannelName: 'x', maxRetransmits: 0, maxPacketLifeTime: 5 }],
      }).success,
    ).toBe(false)
    expect(
      TracksRequest.safeParse({
        tracks: Array.from({ length: 65 }, () => ({ location: 'local', trackName: 'x' })),
      }).success,
    ).toBe(false)
  })

  it('keeps session ids safe to put in a URL path', () => {
    for (const bad of ['../apps/other', 'a/b', 'a?b', 'a#b', '', 'x'.repeat(129), 'é']) {
      expect(NewTracksCall.safeParse({ sessionId: bad, tracks: [] }).success, bad).toBe(false)
    }
    expect(
      NewTracksCall.safeParse({ sessionId: 'e017a2629c754fedc1f7d8587e06d126', tracks: [] }).success,
    ).toBe(true)
  })

  it('classifies every documented error code', () => {
    for (const code of CALLS_API_ERROR_CODES) expect(classifyApiErrorCode(code).kind).toBeTruthy()
    expect(classifyApiErrorCode('not_found_track_error')).toEqual({ kind: 'track_error', retryable: true })
    expect(classifyApiErrorCode('session_error')).toEqual({ kind: 'session_gone', retryable: false })
    expect(classifyApiErrorCode('something_new')).toEqual({ kind: 'server', retryable: false })
  })
})
