import type { z } from 'zod'
import {
  ApiErrorBody,
  CloseTracksResponse,
  DataChannelsResponse,
  EstablishDataChannelsTransportResponse,
  GetSessionStateResponse,
  NewSessionResponse,
  RenegotiateResponse,
  TracksResponse,
  UpdateTracksResponse,
  type CloseTracksRequest,
  type DataChannelsRequest,
  type SessionDescription,
  type TracksRequest,
  type UpdateTracksRequest,
} from '../../shared/calls/schemas'

/** A non-2xx reply, with the Calls error body when there is one. */
export class SfuHttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: ApiErrorBody | undefined,
  ) {
    super(`SFU replied ${status}: ${body?.errorCode ?? '?'} ${body?.errorDescription ?? ''}`)
  }
}

/**
 * A minimal Calls API client for tests of the local SFU (no retries, no queue: tests drive the order). Every
 * reply is parsed with the shared response schemas, so a shape the real client would reject fails the test.
 */
export class SfuApi {
  constructor(
    readonly baseUrl: string,
    private readonly token: string,
  ) {}

  async raw(method: string, path: string, body?: unknown, token = this.token): Promise<Response> {
    return fetch(`${this.baseUrl}/${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    })
  }

  private async call<S extends z.ZodType>(
    schema: S,
    method: string,
    path: string,
    body?: unknown,
  ): Promise<z.infer<S>> {
    const res = await this.raw(method, path, body)
    const json: unknown = await res.json().catch(() => undefined)
    if (!res.ok) {
      const parsed = ApiErrorBody.safeParse(json)
      throw new SfuHttpError(res.status, parsed.success ? parsed.data : undefined)
    }
    return schema.parse(json)
  }

  newSession(offer?: SessionDescription): Promise<NewSessionResponse> {
    return this.call(
      NewSessionResponse,
      'POST',
      'sessions/new',
      offer ? { sessionDescription: offer } : undefined,
    )
  }

  tracksNew(sessionId: string, body: TracksRequest): Promise<TracksResponse> {
    return this.call(TracksResponse, 'POST', `sessions/${sessionId}/tracks/new`, body)
  }

  renegotiate(sessionId: string, sessionDescription: SessionDescription): Promise<RenegotiateResponse> {
    return this.call(RenegotiateResponse, 'PUT', `sessions/${sessionId}/renegotiate`, { sessionDescription })
  }

  tracksClose(sessionId: string, body: CloseTracksRequest): Promise<CloseTracksResponse> {
    return this.call(CloseTracksResponse, 'PUT', `sessions/${sessionId}/tracks/close`, body)
  }

  tracksUpdate(sessionId: string, body: UpdateTracksRequest): Promise<UpdateTracksResponse> {
    return this.call(UpdateTracksResponse, 'PUT', `sessions/${sessionId}/tracks/update`, body)
  }

  session(sessionId: string): Promise<GetSessionStateResponse> {
    return this.call(GetSessionStateResponse, 'GET', `sessions/${sessionId}`)
  }

  deleteSession(sessionId: string): Promise<unknown> {
    return this.call(GetSessionStateResponse, 'DELETE', `sessions/${sessionId}`)
  }

  establish(sessionId: string, body: object): Promise<EstablishDataChannelsTransportResponse> {
    return this.call(
      EstablishDataChannelsTransportResponse,
      'POST',
      `sessions/${sessionId}/datachannels/establish`,
      body,
    )
  }

  dataChannelsNew(sessionId: string, body: DataChannelsRequest): Promise<DataChannelsResponse> {
    return this.call(DataChannelsResponse, 'POST', `sessions/${sessionId}/datachannels/new`, body)
  }
}
