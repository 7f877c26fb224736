import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { BackendTarget } from '../../shared/calls/ipc'
import type { LogEntry } from '../../shared/ipc/contract'
import { createLogger } from '../../shared/log/logger'
import { Redactor } from '../../shared/log/redact'
import { createCallsStack, type CallsTuning } from '../../electron/main/calls/createCallsService'
import { CallsError } from '../../electron/main/calls/errors'
import { realClock, type Clock, type RetryPolicy } from '../../electron/main/calls/retry'
import type { FakeCallsServer } from './fakeCalls/FakeCallsServer'
import { runFaultContract } from './fakeCalls/faultContract'

/**
 * The SDP side of a test peer. The fake server takes synthetic SDP (`syntheticPeer` in fakeCalls/sdp.ts); the
 * embedded SFU needs a real peer (werift) that applies what it is given.
 */
export interface SdpPeer {
  /** An offer that adds one sending transceiver per kind; `mids` are theirs, in order. */
  pushOffer(kinds: readonly ('audio' | 'video')[]): Promise<{ sdp: string; mids: string[] }>
  /** An offer after stopping the transceivers with these mids. */
  closeOffer(mids: readonly string[]): Promise<string>
  /** Apply an SFU offer and return the answer. */
  answer(offer: string): Promise<string>
  /** Apply the SFU's answer to our last offer. */
  acceptAnswer(answer: string): Promise<void>
  close(): Promise<void>
}

export interface CallsContractTarget {
  readonly kind: BackendTarget
  /** Calls base URL (`…/v1/apps/<app>`) and its bearer token. */
  readonly calls: { readonly baseUrl: string; readonly token: string }
  /** TURN key base URL (`…/v1/turn/keys/<key>`) and token, when the target mints TURN credentials. */
  readonly turn?: { readonly baseUrl: string; readonly token: string }
  newPeer(): SdpPeer
  /** Only the fake server can inject faults. */
  readonly fake?: FakeCallsServer
  close(): Promise<void>
}

export interface ContractOptions {
  /** Run the fault-injection part (needs `target.fake`). */
  readonly faults?: boolean
  readonly turn?: boolean
  readonly adapters?: boolean
  readonly dataChannels?: boolean
  /** Retry policy for the suite's client; short delays by default. */
  readonly policy?: Partial<RetryPolicy>
}

/** Fast defaults: the retry rules are what is tested, not the production delays. */
export const CONTRACT_POLICY: Partial<RetryPolicy> = {
  maxAttempts: 4,
  baseDelayMs: 10,
  maxDelayMs: 50,
  attemptTimeoutMs: 400,
  deadlineMs: 4_000,
  maxRetryAfterMs: 5_000,
}

/** A client wired to a target, with its logs, the sleeps it asked for and a hook that runs before each sleep. */
export function contractClient(target: CallsContractTarget, tuning: CallsTuning = {}) {
  const logs: LogEntry[] = []
  const sleeps: number[] = []
  const hooks: { beforeSleep?: (ms: number) => Promise<void> } = {}
  const redactor = new Redactor()
  redactor.add(target.calls.token)
  if (target.turn) redactor.add(target.turn.token)
  // Sleeps are recorded at their full length but last at most 20 ms, so Retry-After is observable and fast.
  const clock: Clock = {
    now: () => Date.now(),
    sleep: async (ms, signal) => {
      sleeps.push(ms)
      const hook = hooks.beforeSleep
      if (hook) await hook(ms)
      await realClock.sleep(Math.min(ms, 20), signal)
    },
  }
  const stack = createCallsStack({
    log: createLogger('calls', [(e) => logs.push(e)], redactor),
    redactor,
    resolveTarget: () => ({
      kind: target.kind,
      baseUrl: target.calls.baseUrl,
      auth: { type: 'bearer', token: target.calls.token },
    }),
    resolveTurn: () =>
      target.turn
        ? {
            type: 'api',
            endpoint: {
              kind: target.kind,
              baseUrl: target.turn.baseUrl,
              auth: { type: 'bearer', token: target.turn.token },
            },
          }
        : { type: 'static', kind: target.kind, iceServers: [] },
    tuning: { clock, ...tuning, policy: { ...CONTRACT_POLICY, ...tuning.policy } },
  })
  return { ...stack, logs, sleeps, hooks }
}

export type ContractClient = ReturnType<typeof contractClient>

/** Expect `promise` to reject with a CallsError and return it. */
export async function callsError(promise: Promise<unknown>): Promise<CallsError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(CallsError)
  return error as CallsError
}

/**
 * The Calls client contract, run against any target that speaks the Calls API: the fake server now, the
 * embedded SFU later (`runCallsContract('local SFU', startLocalSfuTarget, { dataChannels: true })`).
 */
export function runCallsContract(
  name: string,
  makeTarget: () => Promise<CallsContractTarget>,
  options: ContractOptions = {},
): void {
  describe(`Calls contract: ${name}`, () => {
    let target: CallsContractTarget
    let c: ContractClient
    const rejections: unknown[] = []
    const onRejection = (reason: unknown) => void rejections.push(reason)
    const peers: SdpPeer[] = []
    const peer = () => {
      const p = target.newPeer()
      peers.push(p)
      return p
    }
    const tuning: CallsTuning = options.policy ? { policy: options.policy } : {}

    beforeAll(async () => {
      process.on('unhandledRejection', onRejection)
      target = await makeTarget()
    })
    afterAll(async () => {
      await Promise.all(peers.map((p) => p.close()))
      await target?.close()
      process.off('unhandledRejection', onRejection)
    })
    beforeEach(() => {
      c = contractClient(target, tuning)
    })
    afterEach(() => {
      target.fake?.clearFaults()
      expect(rejections).toEqual([])
    })

    /** A publisher session with pushed tracks, as a second participant would have. */
    async function publisher(kinds: readonly ('audio' | 'video')[]) {
      const pub = peer()
      const { sessionId } = await c.client.newSession()
      const offer = await pub.pushOffer(kinds)
      const names = kinds.map((k, i) => `${k}-${i}-${Math.random().toString(36).slice(2, 8)}`)
      const pushed = await c.client.newTracks({
        sessionId,
        sessionDescription: { type: 'offer', sdp: offer.sdp },
        tracks: offer.mids.map((mid, i) => ({ location: 'local', mid, trackName: names[i]! })),
      })
      await pub.acceptAnswer(pushed.sessionDescription!.sdp)
      return { sessionId, names, mids: offer.mids }
    }

    /** Pull tracks into a fresh session and finish the negotiation. */
    async function subscriber(from: { sessionId: string; names: string[] }) {
      const sub = peer()
      const { sessionId } = await c.client.newSession()
      const pulled = await c.client.newTracks({
        sessionId,
        tracks: from.names.map((trackName) => ({ location: 'remote', sessionId: from.sessionId, trackName })),
      })
      expect(pulled.requiresImmediateRenegotiation).toBe(true)
      expect(pulled.sessionDescription?.type).toBe('offer')
      const answer = await sub.answer(pulled.sessionDescription!.sdp)
      await c.client.renegotiate({ sessionId, sessionDescription: { type: 'answer', sdp: answer } })
      return { sessionId, pulled, sub }
    }

    it('creates sessions: plain, thirdparty with a correlationId, and with an offer', async () => {
      const plain = await c.client.newSession()
      expect(plain.sessionId).toMatch(/^\S+$/)
      const labelled = await c.client.newSession({ thirdparty: true, correlationId: 'meeting-42' })
      expect(labelled.sessionId).not.toBe(plain.sessionId)
      const offer = await peer().pushOffer(['audio'])
      const withOffer = await c.client.newSession({ sessionDescription: { type: 'offer', sdp: offer.sdp } })
      expect(withOffer.sessionDescription?.type).toBe('answer')
    })

    it('pushes local tracks with an offer and returns the answer and their mids', async () => {
      const pub = await publisher(['audio', 'video'])
      const state = await c.client.getSession({ sessionId: pub.sessionId })
      expect(state.tracks.map((t) => t.trackName).sort()).toEqual([...pub.names].sort())
      expect(state.tracks.every((t) => t.status === 'active')).toBe(true)
    })

    it('pulls remote tracks: SFU offer, answer through renegotiate', async () => {
      const pub = await publisher(['audio', 'video'])
      const { pulled } = await subscriber(pub)
      expect(pulled.failures).toEqual([])
      expect(pulled.tracks.map((t) => t.trackName)).toEqual(pub.names)
      expect(pulled.tracks.every((t) => typeof t.mid === 'string')).toBe(true)
    })

    it('pulls with simulcast preferences and changes the layer with tracks/update', async () => {
      const pub = await publisher(['video'])
      const { sessionId } = await c.client.newSession()
      const simulcast = {
        preferredRid: 'h',
        priorityOrdering: 'asciibetical',
        ridNotAvailable: 'asciibetical',
      } as const
      const pulled = await c.client.newTracks({
        sessionId,
        tracks: [{ location: 'remote', sessionId: pub.sessionId, trackName: pub.names[0]!, simulcast }],
      })
      const answer = await peer().answer(pulled.sessionDescription!.sdp)
      await c.client.renegotiate({ sessionId, sessionDescription: { type: 'answer', sdp: answer } })
      const mid = pulled.tracks[0]!.mid!
      const updated = await c.client.updateTracks({
        sessionId,
        tracks: [
          {
            location: 'remote',
            sessionId: pub.sessionId,
            trackName: pub.names[0]!,
            mid,
            simulcast: { preferredRid: 'q' },
          },
        ],
      })
      expect(updated.failures).toEqual([])
      expect(updated.tracks[0]?.mid).toBe(mid)
    })

    it('lets the SFU offer a bidirectional local track, and pulls into it by #trackName', async () => {
      const pub = await publisher(['audio'])
      const { sessionId } = await c.client.newSession({ thirdparty: true })
      const p = peer()
      const local = await c.client.newTracks({
        sessionId,
        tracks: [{ location: 'local', trackName: 'ai-voice', kind: 'audio', bidirectionalMediaStream: true }],
      })
      expect(local.requiresImmediateRenegotiation).toBe(true)
      expect(local.sessionDescription?.type).toBe('offer')
      const answer = await p.answer(local.sessionDescription!.sdp)
      await c.client.renegotiate({ sessionId, sessionDescription: { type: 'answer', sdp: answer } })
      const into = await c.client.newTracks({
        sessionId,
        tracks: [
          {
            location: 'remote',
            mid: '#ai-voice',
            sessionId: pub.sessionId,
            trackName: pub.names[0]!,
            kind: 'audio',
          },
        ],
      })
      expect(into.failures).toEqual([])
      expect(into.tracks[0]?.mid).toBe(local.tracks[0]?.mid)
    })

    it('names every new track of an offer with autoDiscover', async () => {
      const { sessionId } = await c.client.newSession()
      const offer = await peer().pushOffer(['audio', 'video'])
      const found = await c.client.newTracks({
        sessionId,
        autoDiscover: true,
        sessionDescription: { type: 'offer', sdp: offer.sdp },
      })
      expect(found.tracks.map((t) => t.mid).sort()).toEqual([...offer.mids].sort())
      expect(found.tracks.every((t) => (t.trackName ?? '').length > 0)).toBe(true)
    })

    it('closes tracks: negotiated, forced, and an already closed track counts as closed', async () => {
      const p = peer()
      const { sessionId } = await c.client.newSession()
      const offer = await p.pushOffer(['audio', 'video'])
      const pushed = await c.client.newTracks({
        sessionId,
        sessionDescription: { type: 'offer', sdp: offer.sdp },
        tracks: offer.mids.map((mid, i) => ({ location: 'local', mid, trackName: `t${i}` })),
      })
      await p.acceptAnswer(pushed.sessionDescription!.sdp)
      const [a, v] = offer.mids as [string, string]
      const closeOffer = await p.closeOffer([a])
      const negotiated = await c.client.closeTracks({
        sessionId,
        tracks: [{ mid: a }],
        sessionDescription: { type: 'offer', sdp: closeOffer },
        force: false,
      })
      expect(negotiated.sessionDescription?.type).toBe('answer')
      expect(negotiated.tracks).toEqual([{ mid: a, alreadyClosed: false }])
      await p.acceptAnswer(negotiated.sessionDescription!.sdp)
      const forced = await c.client.closeTracks({ sessionId, tracks: [{ mid: v }, { mid: a }], force: true })
      expect(forced.failures).toEqual([])
      expect(forced.tracks).toEqual([
        { mid: v, alreadyClosed: false },
        { mid: a, alreadyClosed: true },
      ])
      const state = await c.client.getSession({ sessionId })
      expect(state.tracks.filter((t) => t.status === 'active')).toEqual([])
    })

    it('surfaces per-track failures inside a 200 as a typed partial failure, keeping the SDP', async () => {
      const pub = await publisher(['audio'])
      const { sessionId } = await c.client.newSession()
      const error = await callsError(
        c.client.newTracks({
          sessionId,
          tracks: [
            { location: 'remote', sessionId: pub.sessionId, trackName: pub.names[0]! },
            { location: 'remote', sessionId: pub.sessionId, trackName: 'never-published' },
          ],
        }),
      )
      expect(error.code).toBe('track_error')
      expect(error.reason).toBe('partial_failure')
      expect(error.items).toMatchObject([
        { index: 1, trackName: 'never-published', errorCode: 'not_found_track_error', retryable: true },
      ])
      const partial = error.partial as { sessionDescription?: { type: string }; tracks: unknown[] }
      expect(partial.sessionDescription?.type).toBe('offer')
      expect(partial.tracks).toHaveLength(2)
    })

    it('answers an unknown session with session_gone, then fails fast without a request', async () => {
      const error = await callsError(c.client.getSession({ sessionId: 'ffffffffffffffffffffffffffffffff' }))
      expect(error.code).toBe('session_gone')
      expect(error.retryable).toBe(false)
      const sent = c.history.list().length
      const again = await callsError(
        c.client.renegotiate({
          sessionId: 'ffffffffffffffffffffffffffffffff',
          sessionDescription: { type: 'answer', sdp: 'v=0\r\n' },
        }),
      )
      expect(again.code).toBe('session_gone')
      expect(again.reason).toBe('session_closed')
      expect(c.history.list()).toHaveLength(sent)
    })

    it('rejects a wrong credential as unauthorized without retrying', async () => {
      const wrong = contractClient(
        { ...target, calls: { ...target.calls, token: 'not-the-token-0123456789' } },
        tuning,
      )
      const error = await callsError(wrong.client.newSession())
      expect(error.code).toBe('unauthorized')
      expect(error.retryable).toBe(false)
      expect(wrong.history.list()).toHaveLength(1)
      expect(error.message).toMatch(/Settings|Restart/)
    })

    it('records every exchange in the history without the credential', async () => {
      await publisher(['audio'])
      const entries = c.history.list()
      expect(entries.map((e) => e.operation)).toEqual(['sessions/new', 'tracks/new'])
      expect(entries[1]).toMatchObject({ method: 'POST', status: 200, target: target.kind, attempt: 1 })
      const dump = JSON.stringify(entries) + JSON.stringify(c.logs)
      expect(dump).not.toContain(target.calls.token)
      expect(dump).toContain('sdp')
    })

    describe.runIf(options.dataChannels)('data channels', () => {
      it('establishes the transport, publishes, subscribes, grants canReply and closes', async () => {
        const establish = async () => {
          const { sessionId } = await c.client.newSession()
          const est = await c.client.establishDataChannels({
            sessionId,
            dataChannel: { location: 'remote', dataChannelName: 'server-events' },
          })
          expect(est.dataChannel?.dataChannelName).toBe('server-events')
          if (est.requiresImmediateRenegotiation) {
            const answer = await peer().answer(est.sessionDescription!.sdp)
            await c.client.renegotiate({ sessionId, sessionDescription: { type: 'answer', sdp: answer } })
          }
          return sessionId
        }
        const pub = await establish()
        const sub = await establish()
        const published = await c.client.newDataChannels({
          sessionId: pub,
          dataChannels: [{ location: 'local', dataChannelName: 'chat' }],
        })
        expect(typeof published.dataChannels[0]?.id).toBe('number')
        const pulled = await c.client.newDataChannels({
          sessionId: sub,
          dataChannels: [{ location: 'remote', sessionId: pub, dataChannelName: 'chat' }],
        })
        const id = pulled.dataChannels[0]!.id!
        const granted = await c.client.updateDataChannels({
          sessionId: sub,
          dataChannels: [{ location: 'remote', sessionId: pub, dataChannelName: 'chat', canReply: true }],
        })
        expect(granted.dataChannels[0]?.canReply).toBe(true)
        const closed = await c.client.closeDataChannels({ sessionId: sub, dataChannels: [{ id }] })
        expect(closed.failures).toEqual([])
      })
    })

    describe.runIf(options.adapters)('WebSocket adapters', () => {
      it('creates ingest and egress adapters, reports failed items, and closes idempotently', async () => {
        const pub = await publisher(['audio'])
        const made = await c.client.newWebSocketAdapters({
          tracks: [
            { location: 'local', trackName: 'tts', endpoint: 'wss://example.com/ingest', inputCodec: 'pcm' },
            {
              location: 'remote',
              sessionId: pub.sessionId,
              trackName: pub.names[0]!,
              endpoint: 'wss://example.com/stream',
              outputCodec: 'pcm',
            },
          ],
        })
        expect(made.tracks.every((t) => typeof t.adapterId === 'string')).toBe(true)
        expect(made.tracks[0]?.sessionId).toBeDefined()
        const ids = made.tracks.map((t) => ({ adapterId: t.adapterId! }))
        const closed = await c.client.closeWebSocketAdapters({ tracks: ids })
        expect(closed.failures).toEqual([])
        const again = await c.client.closeWebSocketAdapters({ tracks: ids })
        expect(again.failures).toEqual([])
        const failed = await callsError(
          c.client.newWebSocketAdapters({
            tracks: [
              {
                location: 'local',
                trackName: 'x',
                endpoint: 'wss://unreachable.example/ingest',
                inputCodec: 'pcm',
              },
            ],
          }),
        )
        expect(failed.code).toBe('track_error')
        expect(failed.items[0]?.errorCode).toBe('websocket_handshake_failed')
      })
    })

    describe.runIf(options.turn)('TURN', () => {
      it('mints ICE servers with a TTL, drops port 53 for browsers, caches, refreshes and revokes', async () => {
        const first = await c.turn.getIceServers()
        expect(first.expiresAt).toBeGreaterThan(Date.now())
        expect(first.refreshAt).toBeLessThan(first.expiresAt!)
        const urls = first.iceServers.flatMap((s) => s.urls)
        expect(urls.length).toBeGreaterThan(0)
        expect(urls.some((u) => /:53(\?|$)/.test(u))).toBe(false)
        const raw = await c.turn.getIceServers({ forBrowser: false })
        expect(raw.iceServers.flatMap((s) => s.urls).some((u) => /:53(\?|$)/.test(u))).toBe(true)
        const cached = await c.turn.getIceServers()
        expect(cached.expiresAt).toBe(first.expiresAt)
        const username = first.iceServers.find((s) => s.username)?.username
        expect(username).toBeDefined()
        const fresh = await c.turn.getIceServers({ forceRefresh: true })
        expect(fresh.iceServers.find((s) => s.username)?.username).not.toBe(username)
        await c.turn.revoke(username!)
        const dump = JSON.stringify(c.history.list()) + JSON.stringify(c.logs)
        expect(dump).not.toContain(first.iceServers.find((s) => s.credential)!.credential!)
      })
    })

    if (options.faults) {
      runFaultContract(
        () => target,
        () => c,
        peer,
        (more) =>
          contractClient(target, { ...tuning, ...more, policy: { ...tuning.policy, ...more.policy } }),
      )
    }
  })
}
