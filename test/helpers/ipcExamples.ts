import type { InvokeName, RequestOf } from '../../shared/ipc/contract'

const SESSION = 'e017a2629c754fedc1f7d8587e06d126'
const PUBLISHER = '2a45361d5fd7cc14eface0587c276c94'
const EXAMPLE_SDP = 'v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n'

/**
 * Valid requests for every invoke channel. The router fuzz test fails when a channel has none, so a new channel
 * cannot skip the contract tests.
 */
export const validRequests: { readonly [K in InvokeName]: ReadonlyArray<RequestOf<K>> } = {
  'app:getInfo': [{}],
  'settings:get': [{}],
  'settings:update': [
    { patch: {} },
    { patch: { displayName: 'Ada Lovelace' } },
    { patch: { backend: 'cloudflare', cloudflare: { appId: '0123456789abcdef0123456789abcdef' } } },
    { patch: { worker: { url: 'https://meet.example.org' } } },
    { patch: { worker: { url: '' }, cloudflare: { turnKeyId: '' } } },
    { patch: { ai: { baseUrl: 'http://127.0.0.1:4010/v1', model: 'gpt-4o-mini' } } },
    { patch: { ai: { baseUrl: '', transcriptionModel: 'whisper-1' } } },
  ],
  'settings:dismissNotice': [{ id: 'storage-insecure' }],
  'vault:setSecret': [
    { name: 'openaiApiKey', value: 'sk-test-1234567890' },
    { name: 'callsAppSecret', value: 'a'.repeat(64), acceptInsecureStorage: true },
  ],
  'vault:clearSecret': [{ name: 'workerToken' }],
  'shell:openExternal': [{ url: 'https://example.org/help' }],
  'diagnostics:getLog': [{ limit: 10 }],
  // AI assistant (issue 9)
  'ai:getState': [{}],
  'ai:setEnabled': [{ assistant: true }, { captions: false }, {}],
  'ai:ask': [
    { requestId: 'req_0001abcd', kind: 'ask', question: 'What did Grace decide?' },
    { requestId: 'req_0002abcd', kind: 'catchUp' },
    { requestId: 'req_0003abcd', kind: 'catchUp', windowMs: 600_000 },
    { requestId: 'req_0004abcd', kind: 'summary' },
  ],
  'ai:cancel': [{ requestId: 'req_0001abcd' }],
  'ai:transcribeChunk': [
    {
      participantId: 'p1',
      speaker: 'Grace Hopper',
      trackId: 'mic',
      startedAt: 1_760_000_000_000,
      durationMs: 2000,
      mime: 'audio/wav',
      audio: 'UklGRiQAAABXQVZFZm10IBAAAAABAAEAgD4AAAB9AAACABAAZGF0YQAAAAA=',
    },
  ],
  'ai:getTranscript': [{ limit: 100 }],
  'ai:resolveAction': [
    { actionId: '6f1c2d1e-9a3b-4c5d-8e7f-0a1b2c3d4e5f', decision: 'confirm' },
    { actionId: '6f1c2d1e-9a3b-4c5d-8e7f-0a1b2c3d4e5f', decision: 'dismiss' },
  ],
  'ai:postSummary': [{ summaryId: '6f1c2d1e-9a3b-4c5d-8e7f-0a1b2c3d4e5f' }],
  // Recording (issue 8)
  'recording:start': [
    {
      room: 'abc-defg-hij',
      source: 'meeting',
      mimeType: 'video/webm;codecs=vp9,opus',
      width: 1280,
      height: 720,
    },
    { room: 'lan-room', source: 'screen', mimeType: 'video/webm', width: 1920, height: 1080 },
  ],
  'recording:pause': [{ id: 'Qk9PS19SRUNPUkRJTkdfMQ' }],
  'recording:resume': [{ id: 'Qk9PS19SRUNPUkRJTkdfMQ' }],
  'recording:stop': [
    { id: 'Qk9PS19SRUNPUkRJTkdfMQ' },
    { id: 'Qk9PS19SRUNPUkRJTkdfMQ', reason: 'meeting_ended' },
  ],
  'recording:list': [{}],
  'recording:delete': [{ name: 'abc-defg-hij-2026-08-25_14-03-22.webm' }],
  'recording:reveal': [{ name: 'abc-defg-hij-2026-08-25_14-03-22.webm' }],
  'recording:getLinks': [{ name: 'abc-defg-hij-2026-08-25_14-03-22-2.webm' }],
  'recording:getRoomState': [{ room: 'abc-defg-hij' }],
  'recording:setAllowOthers': [{ room: 'abc-defg-hij', allow: false }],
  'recording:listSources': [{}],
  'recording:selectSource': [{ id: 'screen:0:0' }],
  // Calls API (issue 4)
  'calls:newSession': [
    {},
    { thirdparty: true, correlationId: 'meeting-4f2a' },
    { sessionDescription: { type: 'offer', sdp: EXAMPLE_SDP } },
  ],
  'calls:newTracks': [
    {
      sessionId: SESSION,
      sessionDescription: { type: 'offer', sdp: EXAMPLE_SDP },
      tracks: [{ location: 'local', mid: '4', trackName: '1a037563-c35c-4bf6-a9ee-2b474cbb9a51' }],
    },
    { sessionId: SESSION, tracks: [{ location: 'remote', sessionId: PUBLISHER, trackName: 'camera' }] },
    {
      sessionId: SESSION,
      tracks: [
        {
          location: 'remote',
          sessionId: PUBLISHER,
          trackName: 'simulcast-video-track',
          simulcast: { preferredRid: 'h', priorityOrdering: 'asciibetical', ridNotAvailable: 'asciibetical' },
        },
      ],
    },
    {
      sessionId: SESSION,
      tracks: [{ location: 'local', trackName: 'mic-1', kind: 'audio', bidirectionalMediaStream: true }],
    },
    { sessionId: SESSION, autoDiscover: true, sessionDescription: { type: 'offer', sdp: EXAMPLE_SDP } },
  ],
  'calls:renegotiate': [{ sessionId: SESSION, sessionDescription: { type: 'answer', sdp: EXAMPLE_SDP } }],
  'calls:closeTracks': [
    {
      sessionId: SESSION,
      tracks: [{ mid: '7' }],
      sessionDescription: { type: 'offer', sdp: EXAMPLE_SDP },
      force: false,
    },
    { sessionId: SESSION, tracks: [{ mid: '0' }, { mid: '1' }], force: true },
  ],
  'calls:updateTracks': [
    {
      sessionId: SESSION,
      tracks: [
        {
          location: 'remote',
          sessionId: PUBLISHER,
          trackName: 'camera',
          mid: '8',
          simulcast: { preferredRid: 'b' },
        },
      ],
    },
  ],
  'calls:getSession': [{ sessionId: SESSION }],
  'calls:establishDataChannels': [
    { sessionId: SESSION, dataChannel: { location: 'remote', dataChannelName: 'server-events' } },
  ],
  'calls:newDataChannels': [
    { sessionId: SESSION, dataChannels: [{ location: 'local', dataChannelName: 'chat' }] },
    {
      sessionId: SESSION,
      dataChannels: [
        {
          location: 'remote',
          sessionId: PUBLISHER,
          dataChannelName: 'player-state',
          ordered: false,
          maxRetransmits: 0,
        },
      ],
    },
  ],
  'calls:updateDataChannels': [
    {
      sessionId: SESSION,
      dataChannels: [{ location: 'remote', sessionId: PUBLISHER, dataChannelName: 'chat', canReply: true }],
    },
  ],
  'calls:closeDataChannels': [{ sessionId: SESSION, dataChannels: [{ id: 2 }] }],
  'turn:getIceServers': [{}, { forceRefresh: true }],
  'diagnostics:getApiHistory': [{}, { limit: 50 }],
  // Desktop integration (issue 10).
  'app:takeOpenRoom': [{}],
  'updates:getStatus': [{}],
  'updates:check': [{}],
  'updates:install': [{}],
  'updates:setAutoUpdate': [{ enabled: false }, { enabled: true }],
  'desktop:setMeetingState': [{ inMeeting: true }, { inMeeting: false }],
  'desktop:setUnreadCount': [{ count: 0 }, { count: 120 }],
  'desktop:notify': [
    { kind: 'chat', from: 'Ada', text: 'Can everyone see my screen?' },
    { kind: 'joinRequest', name: 'Grace Hopper' },
  ],
  // Rooms (issue 6).
  'room:join': [
    { room: 'abc-defg-hjk', name: 'Ada' },
    { room: 'standup', name: 'Agent', ai: true, url: 'ws://127.0.0.1:5181/rooms/standup/socket', token: '' },
  ],
  'room:leave': [{}],
  'room:getState': [{}],
  'room:sendChat': [{ text: 'Hello everyone' }, { text: 'psst', to: 'p_123' }],
  'room:hostAction': [
    { action: { kind: 'mute', target: 'p_123' } },
    { action: { kind: 'lock', locked: true } },
    { action: { kind: 'setRole', target: 'p_123', role: 'cohost' } },
    { action: { kind: 'end' } },
  ],
  'room:setHand': [{ raised: true }],
  'room:setActivity': [{ activity: { recording: 'on' } }, { activity: { captions: true, assistant: false } }],
  'room:react': [{ emoji: '👍' }],
  'room:publishTracks': [
    { directory: { sessionId: 's1', tracks: [{ name: 'mic', kind: 'audio', source: 'mic', muted: false }] } },
    { directory: null },
  ],
}
