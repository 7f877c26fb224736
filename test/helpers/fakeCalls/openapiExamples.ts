/**
 * The request and response examples of the official OpenAPI (cloudflare/cloudflare-docs,
 * public/realtime/static/realtime-api-2024-05-21.yaml), transcribed as data. shared/calls/schemas.test.ts parses
 * every one with our schemas, so a schema that drifts from the OpenAPI fails there.
 */
const SDP =
  'v=0\no=- 0 0 IN IP4 127.0.0.1\ns=-\nc=IN IP4 127.0.0.1\nt=0 0\nm=audio 4000 RTP/AVP 111\na=rtpmap:111 OPUS/48000/2\nm=video 4002 RTP/AVP 96\na=rtpmap:96 VP8/90000\n...\n'
const DC_SDP =
  'v=0\no=- 0 0 IN IP4 127.0.0.1\ns=-\nc=IN IP4 127.0.0.1\nt=0 0\nm=application 9 UDP/DTLS/SCTP webrtc-datachannel\n...\n'
const SIMULCAST = { preferredRid: 'h', priorityOrdering: 'asciibetical', ridNotAvailable: 'asciibetical' }

export const requestExamples = {
  tracksNew: {
    local_tracks: {
      sessionDescription: { sdp: SDP, type: 'offer' },
      tracks: [{ location: 'local', mid: '4', trackName: '1a037563-c35c-4bf6-a9ee-2b474cbb9a51' }],
    },
    remote_tracks: {
      tracks: [
        {
          location: 'remote',
          sessionId: '2a45361d5fd7cc14eface0587c276c94',
          trackName: '2e037563-a35d-4bf6-a9ee-2d474cbb9a58',
        },
      ],
    },
    push_track_with_bidirectional_stream: {
      sessionDescription: { sdp: SDP, type: 'offer' },
      tracks: [
        { location: 'local', mid: '0', trackName: 'mic-1', bidirectionalMediaStream: true, kind: 'audio' },
      ],
    },
    push_track_without_an_offer: { tracks: [{ location: 'local', trackName: 'mic-1', kind: 'audio' }] },
    push_tracks_with_autodiscover: { autoDiscover: true, sessionDescription: { sdp: SDP, type: 'offer' } },
    pull_track_with_bidirectional_stream: {
      tracks: [
        {
          location: 'remote',
          mid: '#mic-1',
          sessionId: '2a45361d5fd7cc14eface0587c276c94',
          trackName: 'generated-audio',
          kind: 'audio',
        },
      ],
    },
    remote_track_with_simulcast: {
      tracks: [
        {
          location: 'remote',
          sessionId: '2a45361d5fd7cc14eface0587c276c94',
          trackName: 'simulcast-video-track',
          simulcast: SIMULCAST,
        },
      ],
    },
  },
  renegotiate: { sessionDescription: { sdp: SDP, type: 'answer' } },
  tracksClose: {
    negotiated: {
      tracks: [{ mid: '7' }],
      sessionDescription: { type: 'offer', sdp: '<ENDPOINT_OFFER_SDP>' },
      force: false,
    },
    forced: { tracks: [{ mid: '0' }, { mid: '1' }, { mid: '2' }], force: true },
  },
  tracksUpdate: {
    reuse_transceiver: {
      tracks: [
        {
          location: 'remote',
          sessionId: '2a45361d5fd7cc14eface0587c276c94',
          trackName: 'other-track-name',
          mid: '7',
        },
      ],
    },
    reuse_with_simulcast: {
      tracks: [
        {
          location: 'remote',
          sessionId: '2a45361d5fd7cc14eface0587c276c94',
          trackName: 'simulcast-track',
          mid: '8',
          simulcast: SIMULCAST,
        },
      ],
    },
  },
  establish: {
    ask_for_an_offer: { dataChannel: { location: 'remote', dataChannelName: 'server-events' } },
    send_an_offer: {
      dataChannel: { location: 'remote', dataChannelName: 'server-events' },
      sessionDescription: { sdp: DC_SDP, type: 'offer' },
    },
  },
  dataChannelsNew: {
    local_datachannels: {
      dataChannels: [{ location: 'local', dataChannelName: '1a037563-c35c-4bf6-a9ee-2b474cbb9a51' }],
    },
    local_datachannels_unordered: {
      dataChannels: [{ location: 'local', dataChannelName: 'independent-events', ordered: false }],
    },
    local_datachannels_unreliable: {
      dataChannels: [
        { location: 'local', dataChannelName: 'player-state', ordered: false, maxRetransmits: 0 },
      ],
    },
    remote_datachannels: {
      dataChannels: [
        {
          location: 'remote',
          waitForAck: true,
          sessionId: '2a45361d5fd7cc14eface0587c276c94',
          dataChannelName: '1a037563-c35c-4bf6-a9ee-2b474cbb9a51',
        },
      ],
    },
    remote_datachannels_can_reply: {
      dataChannels: [
        {
          location: 'remote',
          canReply: true,
          sessionId: '2a45361d5fd7cc14eface0587c276c94',
          dataChannelName: '1a037563-c35c-4bf6-a9ee-2b474cbb9a51',
        },
      ],
    },
    remote_datachannels_unordered: {
      dataChannels: [
        {
          location: 'remote',
          sessionId: '2a45361d5fd7cc14eface0587c276c94',
          dataChannelName: 'independent-events',
          ordered: false,
        },
      ],
    },
    remote_datachannels_unreliable: {
      dataChannels: [
        {
          location: 'remote',
          sessionId: '2a45361d5fd7cc14eface0587c276c94',
          dataChannelName: 'player-state',
          ordered: false,
          maxRetransmits: 0,
        },
      ],
    },
  },
  dataChannelsUpdate: {
    grant_can_reply: {
      dataChannels: [
        {
          location: 'remote',
          canReply: true,
          sessionId: '2a45361d5fd7cc14eface0587c276c94',
          dataChannelName: '1a037563-c35c-4bf6-a9ee-2b474cbb9a51',
        },
      ],
    },
    revoke_can_reply: {
      dataChannels: [
        {
          location: 'remote',
          canReply: false,
          sessionId: '2a45361d5fd7cc14eface0587c276c94',
          dataChannelName: '1a037563-c35c-4bf6-a9ee-2b474cbb9a51',
        },
      ],
    },
  },
  dataChannelsClose: { dataChannels: [{ id: 2 }] },
  adaptersNew: {
    local_ingest: {
      tracks: [
        {
          location: 'local',
          trackName: 'tts-track',
          endpoint: 'wss://example.com/ingest',
          inputCodec: 'pcm',
        },
      ],
    },
    remote_stream_audio: {
      tracks: [
        {
          location: 'remote',
          sessionId: '2a45361d5fd7cc14eface0587c276c94',
          trackName: 'mic-track',
          endpoint: 'wss://example.com/stream-audio',
          outputCodec: 'pcm',
        },
      ],
    },
    remote_stream_video: {
      tracks: [
        {
          location: 'remote',
          sessionId: '2a45361d5fd7cc14eface0587c276c94',
          trackName: 'camera-track',
          endpoint: 'wss://example.com/stream-video',
          outputCodec: 'jpeg',
        },
      ],
    },
  },
  adaptersClose: { tracks: [{ adapterId: '4e66a9d5a35e4a0899f6f8d0b63a35c1' }] },
} as const

export const responseExamples = {
  newSession: { sessionId: 'e017a2629c754fedc1f7d8587e06d126' },
  tracksNew: {
    local_tracks: {
      requiresImmediateRenegotiation: false,
      tracks: [{ trackName: '1a037563-c35c-4bf6-a9ee-2b474cbb9a51', mid: '4' }],
      sessionDescription: { sdp: SDP, type: 'answer' },
    },
    remote_tracks: {
      requiresImmediateRenegotiation: true,
      tracks: [
        {
          sessionId: '2a45361d5fd7cc14eface0587c276c94',
          trackName: '2e037563-a35d-4bf6-a9ee-2d474cbb9a58',
          mid: '7',
        },
      ],
      sessionDescription: { sdp: SDP, type: 'offer' },
    },
    remote_tracks_with_simulcast: {
      requiresImmediateRenegotiation: true,
      tracks: [
        {
          sessionId: '2a45361d5fd7cc14eface0587c276c94',
          trackName: 'simulcast-video-track',
          mid: '5',
          simulcast: SIMULCAST,
        },
      ],
      sessionDescription: { sdp: SDP, type: 'offer' },
    },
  },
  renegotiate: {},
  tracksClose: {
    negotiated: {
      sessionDescription: { type: 'answer', sdp: '<SFU_ANSWER_SDP>' },
      requiresImmediateRenegotiation: false,
      tracks: [{ mid: '7' }],
    },
    forced: { requiresImmediateRenegotiation: false, tracks: [{ mid: '0' }, { mid: '1' }, { mid: '2' }] },
    already_closed: {
      requiresImmediateRenegotiation: false,
      tracks: [
        {
          mid: '7',
          errorCode: 'close_track_error',
          errorDescription: "Track doesn't exist or was already closed",
        },
      ],
    },
    mixed: {
      requiresImmediateRenegotiation: false,
      tracks: [
        { mid: '0' },
        {
          mid: '1',
          errorCode: 'close_track_error',
          errorDescription: "Track doesn't exist or was already closed",
        },
        { mid: '2', errorCode: 'internal_error', errorDescription: 'Backend error' },
      ],
    },
  },
  tracksUpdate: {
    requiresImmediateRenegotiation: false,
    tracks: [{ mid: '7', sessionId: '2a45361d5fd7cc14eface0587c276c94', trackName: 'new-track-name' }],
  },
  establish: {
    ask_for_an_offer: {
      requiresImmediateRenegotiation: true,
      dataChannel: { dataChannelName: 'server-events', id: 0 },
      sessionDescription: { type: 'offer', sdp: DC_SDP },
    },
    send_an_offer: {
      requiresImmediateRenegotiation: false,
      dataChannel: { dataChannelName: 'server-events', id: 0 },
      sessionDescription: { sdp: DC_SDP, type: 'answer' },
    },
  },
  dataChannelsNew: {
    local_datachannels: {
      dataChannels: [{ dataChannelName: '1a037563-c35c-4bf6-a9ee-2b474cbb9a51', location: 'local', id: 3 }],
    },
    remote_datachannels: {
      dataChannels: [
        {
          sessionId: '2a45361d5fd7cc14eface0587c276c94',
          location: 'remote',
          dataChannelName: '1a037563-c35c-4bf6-a9ee-2b474cbb9a51',
          id: 4,
        },
      ],
    },
  },
  dataChannelsUpdate: {
    dataChannels: [
      {
        sessionId: '2a45361d5fd7cc14eface0587c276c94',
        location: 'remote',
        dataChannelName: '1a037563-c35c-4bf6-a9ee-2b474cbb9a51',
        canReply: true,
        id: 4,
      },
    ],
  },
  dataChannelsClose: {
    dataChannels: [
      {
        location: 'remote',
        sessionId: '2a45361d5fd7cc14eface0587c276c94',
        dataChannelName: '1a037563-c35c-4bf6-a9ee-2b474cbb9a51',
        id: 2,
      },
    ],
  },
  getSession: {
    tracks: [
      { location: 'local', mid: '2', trackName: '1a037563-c35c-4bf6-a9ee-2b474cbb9a51', status: 'active' },
      {
        location: 'remote',
        mid: '7',
        sessionId: '2a45361d5fd7cc14eface0587c276c94',
        trackName: '2e037563-a35d-4bf6-a9ee-2d474cbb9a58',
        status: 'active',
      },
    ],
    dataChannels: [
      {
        location: 'remote',
        sessionId: '2a45361d5fd7cc14eface0587c276c94',
        dataChannelName: 'controls',
        id: 2,
        status: 'active',
      },
    ],
  },
  adaptersNew: {
    local_ingest: {
      tracks: [
        {
          trackName: 'tts-track',
          adapterId: '4e66a9d5a35e4a0899f6f8d0b63a35c1',
          sessionId: 'd6f73f6f0c6645a7bb8f74e3fcb00a2f',
          endpoint: 'wss://example.com/ingest',
        },
      ],
    },
    remote_stream: {
      tracks: [
        {
          trackName: 'mic-track',
          adapterId: '2b2ff7d2e17a4d638be5b6e3075ed6ce',
          endpoint: 'wss://example.com/stream-audio',
        },
      ],
    },
    partial_success: {
      tracks: [
        { trackName: 'mic-track', adapterId: '<ADAPTER_ID>', endpoint: 'wss://example.com/stream-audio' },
        {
          trackName: 'camera-track',
          errorCode: 'websocket_handshake_failed',
          errorDescription: 'The handshake with the provided endpoint failed.',
        },
      ],
    },
    all_failed_503: {
      tracks: [
        {
          trackName: 'mic-track',
          errorCode: 'websocket_handshake_failed',
          errorDescription: 'The handshake with the provided endpoint failed.',
        },
      ],
    },
  },
  adaptersClose: {
    closed: { tracks: [{ adapterId: '4e66a9d5a35e4a0899f6f8d0b63a35c1', bytesProcessed: 83492 }] },
    already_closed: { tracks: [{ adapterId: '4e66a9d5a35e4a0899f6f8d0b63a35c1' }] },
    partial_success: {
      tracks: [
        { adapterId: '4e66a9d5a35e4a0899f6f8d0b63a35c1' },
        {
          adapterId: '2b2ff7d2e17a4d638be5b6e3075ed6ce',
          errorCode: 'internal_error',
          errorDescription: 'Backend error',
        },
      ],
    },
  },
  adapterRequestErrors: {
    decoding: { errorCode: 'decoding_error', errorDescription: 'The request could not be decoded.' },
    invalid: { errorCode: 'invalid_params', errorDescription: 'Expecting at most 4 track in the request' },
  },
} as const
