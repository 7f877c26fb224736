import fc from 'fast-check'
import { describe, expect, it, vi } from 'vitest'
import { contract, invokeNames, type InvokeName } from '../../../shared/ipc/contract'
import { RingBuffer, createLogger } from '../../../shared/log/logger'
import { Redactor } from '../../../shared/log/redact'
import { validRequests } from '../../../test/helpers/ipcExamples'
import { createRouter, type Handlers } from './router'

const log = createLogger('test', [], new Redactor())
const trusted = { senderId: 'wc:1', trusted: true }

const recordingStatus = {
  id: 'Qk9PS19SRUNPUkRJTkdfMQ',
  name: 'abc-defg-hij-2026-08-25_14-03-22.webm',
  room: 'abc-defg-hij',
  state: 'paused',
  bytes: 0,
  durationMs: 0,
  freeBytes: null,
}
const recordingEntry = {
  name: 'abc-defg-hij-2026-08-25_14-03-22.webm',
  bytes: 1,
  modifiedAt: 0,
  durationMs: 1000,
  width: 1280,
  height: 720,
  status: 'ready',
}
const roomState = {
  room: 'abc-defg-hij',
  active: false,
  paused: false,
  byName: '',
  byMe: false,
  allowOthers: true,
  isHost: true,
  canRecord: true,
}
const recordingAnswers = {
  'recording:start': { id: recordingStatus.id, name: recordingStatus.name, folder: '/tmp' },
  'recording:pause': recordingStatus,
  'recording:resume': recordingStatus,
  'recording:stop': { entry: recordingEntry },
  'recording:list': { folder: '/tmp', entries: [recordingEntry] },
  'recording:delete': { deleted: true },
  'recording:reveal': { revealed: false },
  'recording:getLinks': { play: null, download: null },
  'recording:getRoomState': roomState,
  'recording:setAllowOthers': roomState,
  'recording:listSources': { supported: false, sources: [] },
  'recording:selectSource': { selected: true },
}

const aiState = {
  assistant: false,
  captions: false,
  configured: false,
  model: 'gpt-4o-mini',
  server: 'api.openai.com',
  busy: false,
  pendingActions: [],
  context: { participants: 1, chatMessages: 0, transcriptEntries: 0, agendaItems: 0 },
}
const aiAnswers = {
  'ai:getState': aiState,
  'ai:setEnabled': aiState,
  'ai:ask': { requestId: 'req_0001abcd' },
  'ai:cancel': { cancelled: false },
  'ai:transcribeChunk': { entry: null },
  'ai:getTranscript': { entries: [] },
  'ai:resolveAction': { outcome: 'dismissed', message: 'Dismissed.' },
  'ai:postSummary': { posted: true },
}

const sdpAnswer = { type: 'answer' as const, sdp: 'v=0\r\n' }
const callsAnswers = {
  'calls:newSession': { sessionId: 'e017a2629c754fedc1f7d8587e06d126' },
  'calls:newTracks': {
    requiresImmediateRenegotiation: false,
    sessionDescription: sdpAnswer,
    tracks: [{ trackName: 'mic', mid: '0' }],
    failures: [],
  },
  'calls:renegotiate': {},
  'calls:closeTracks': {
    requiresImmediateRenegotiation: false,
    tracks: [{ mid: '0', alreadyClosed: false }],
    failures: [],
  },
  'calls:updateTracks': { requiresImmediateRenegotiation: false, tracks: [{ mid: '7' }], failures: [] },
  'calls:getSession': { tracks: [], dataChannels: [] },
  'calls:establishDataChannels': {
    requiresImmediateRenegotiation: true,
    dataChannel: { dataChannelName: 'server-events', id: 0 },
  },
  'calls:newDataChannels': { dataChannels: [{ dataChannelName: 'chat', id: 3 }], failures: [] },
  'calls:updateDataChannels': { dataChannels: [], failures: [] },
  'calls:closeDataChannels': { dataChannels: [], failures: [] },
  'turn:getIceServers': {
    iceServers: [{ urls: ['stun:stun.cloudflare.com:3478'] }],
    expiresAt: null,
    refreshAt: null,
  },
  'diagnostics:getApiHistory': { entries: [], capacity: 100 },
}

const updateStatus = {
  supported: false,
  autoUpdate: true,
  inMeeting: false,
  currentVersion: '0.1.0',
  phase: 'idle',
  lastCheckedAt: null,
  nextCheckAt: null,
}
const roomStatus = { room: null, state: 'idle', attempt: 0, reason: null, participantId: null }
const roomAnswers = {
  'room:join': { status: 'joined', participantId: 'p1', view: null },
  'room:leave': { left: true },
  'room:getState': { status: roomStatus, view: null, pending: [] },
  'room:sendChat': { id: 'm1' },
  'room:hostAction': {},
  'room:setHand': {},
  'room:setActivity': {},
  'room:react': {},
  'room:publishTracks': {},
}

const desktopAnswers = {
  'app:takeOpenRoom': { request: { kind: 'room', room: 'abc-defg-hjk' } },
  'updates:getStatus': updateStatus,
  'updates:check': updateStatus,
  'updates:install': updateStatus,
  'updates:setAutoUpdate': updateStatus,
  'desktop:setMeetingState': {},
  'desktop:setUnreadCount': {},
  'desktop:notify': { shown: false },
}

/** Handlers that record calls and answer with a value valid for each channel's response schema. */
function spyHandlers() {
  const view = {
    displayName: '',
    backend: 'local' as const,
    cloudflare: { appId: '', turnKeyId: '' },
    worker: { url: '' },
    secrets: {
      callsAppSecret: { configured: false, hint: '' },
      turnApiToken: { configured: false, hint: '' },
      openaiApiKey: { configured: false, hint: '' },
      workerToken: { configured: false, hint: '' },
    },
    storage: { backend: 'keyfile' as const, secure: true, detail: '' },
    insecureStorageAccepted: false,
    notices: [],
    ai: { model: 'gpt-4o-mini', transcriptionModel: 'whisper-1', baseUrl: '' },
  }
  const calls: Array<[InvokeName, unknown]> = []
  const answer: { [K in InvokeName]: unknown } = {
    'app:getInfo': { name: 'Convene', version: '1', platform: 'linux', shell: 'web' },
    'settings:get': view,
    'settings:update': view,
    'settings:dismissNotice': view,
    'vault:setSecret': view,
    'vault:clearSecret': view,
    'shell:openExternal': { opened: false },
    'diagnostics:getLog': { entries: [] },
    ...recordingAnswers,
    ...callsAnswers,
    ...aiAnswers,
    ...desktopAnswers,
    ...roomAnswers,
  }
  const handlers = Object.fromEntries(
    invokeNames.map((name) => [
      name,
      vi.fn((request: unknown) => {
        calls.push([name, request])
        return answer[name]
      }),
    ]),
  ) as unknown as Handlers
  return { handlers, calls }
}

describe('IPC router', () => {
  it('has valid examples for every invoke channel, and they round-trip', async () => {
    const { handlers, calls } = spyHandlers()
    const router = createRouter(handlers, { log, ratePerSecond: 1e6 })
    for (const name of invokeNames) {
      const examples = validRequests[name]
      expect(examples.length, `examples for ${name}`).toBeGreaterThan(0)
      for (const example of examples) {
        const result = await router.dispatch(name, example, trusted)
        expect(result.ok, `${name} ${JSON.stringify(example)}`).toBe(true)
      }
    }
    expect(calls.length).toBe(invokeNames.reduce((n, name) => n + validRequests[name].length, 0))
  })

  it.each(invokeNames)(
    'rejects 1,000 generated invalid payloads for %s without calling the handler',
    async (name) => {
      const { handlers, calls } = spyHandlers()
      const router = createRouter(handlers, { log, ratePerSecond: 1e9 })
      const schema = contract[name].request
      // Mix arbitrary JSON-ish values with mutations of the valid examples (wrong types, extra keys, huge strings).
      const mutated = fc
        .tuple(fc.constantFrom(...validRequests[name]), fc.string({ maxLength: 12 }), fc.anything())
        .map(([example, key, value]) => ({ ...(example as object), [key === '' ? '_' : key]: value }))
      const oversized = fc
        .constantFrom(...validRequests[name])
        .map((example) =>
          JSON.parse(
            JSON.stringify(example, (_k, v: unknown) => (typeof v === 'string' ? v.padEnd(5000, 'x') : v)),
          ),
        )
      const arbitrary = fc.oneof(fc.anything(), fc.jsonValue(), mutated, oversized)
      const invalid = arbitrary.filter((value) => !schema.safeParse(value).success)
      const samples = fc.sample(invalid, { numRuns: 1000, seed: 42 })
      expect(samples).toHaveLength(1000)
      for (const payload of samples) {
        const result = await router.dispatch(name, payload, trusted)
        expect(result.ok).toBe(false)
        if (!result.ok) expect(result.error.code).toBe('invalid_request')
      }
      expect(calls).toHaveLength(0)
    },
  )

  it('rejects an untrusted sender before looking at the payload', async () => {
    const { handlers, calls } = spyHandlers()
    const router = createRouter(handlers, { log })
    const result = await router.dispatch('settings:get', {}, { senderId: 'wc:9', trusted: false })
    expect(result).toMatchObject({ ok: false, error: { code: 'forbidden' } })
    expect(calls).toHaveLength(0)
  })

  it('rejects unknown channels, event channels and non-string channels', async () => {
    const { handlers, calls } = spyHandlers()
    const router = createRouter(handlers, { log })
    for (const channel of [
      'nope:nothing',
      'settings:changed',
      '__proto__',
      'constructor',
      42,
      null,
      undefined,
    ]) {
      const result = await router.dispatch(channel, {}, trusted)
      expect(result).toMatchObject({ ok: false, error: { code: 'unknown_channel' } })
    }
    expect(calls).toHaveLength(0)
  })

  it('turns handler exceptions into internal errors and strips fields outside the contract', async () => {
    const { handlers } = spyHandlers()
    const sink = new RingBuffer<unknown>(10)
    const router = createRouter(
      {
        ...handlers,
        'app:getInfo': () =>
          ({ name: 'Convene', version: '1', platform: 'x', shell: 'web', secret: 'leak' }) as never,
        'settings:get': () => {
          throw new Error('disk on fire')
        },
      },
      { log: createLogger('t', [(e) => sink.push(e)], new Redactor()) },
    )
    const info = await router.dispatch('app:getInfo', {}, trusted)
    expect(info.ok && info.value).toEqual({ name: 'Convene', version: '1', platform: 'x', shell: 'web' })
    const failed = await router.dispatch('settings:get', {}, trusted)
    expect(failed).toMatchObject({ ok: false, error: { code: 'internal', retryable: true } })
    if (!failed.ok) expect(failed.error.message).not.toContain('disk on fire')
  })

  it('rate-limits a sender that floods, and not the others', async () => {
    const { handlers } = spyHandlers()
    const router = createRouter(handlers, { log, ratePerSecond: 5 })
    const results = await Promise.all(
      Array.from({ length: 30 }, () => router.dispatch('settings:get', {}, trusted)),
    )
    expect(results.some((r) => !r.ok && r.error.code === 'rate_limited')).toBe(true)
    const other = await router.dispatch('settings:get', {}, { senderId: 'wc:2', trusted: true })
    expect(other.ok).toBe(true)
  })
})
