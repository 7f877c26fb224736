import type { RTCPeerConnection } from 'werift'
import type { StunRequestInfo } from './peerConfig'

/** The parts of werift's ICE Connection and CandidatePair used here (not all of them are in its typings). */
interface PairLike {
  readonly protocol: unknown
  readonly remoteAddr: readonly [string, number]
  readonly state: number
}
interface ConnectionLike {
  readonly localUsername: string
  readonly checkList: readonly PairLike[]
  nominated?: PairLike
}

/** werift's CandidatePairState.SUCCEEDED. */
const SUCCEEDED = 3

/**
 * An ICE-lite agent must send on the path the controlling client nominated most recently. werift keeps the
 * *first* nominated pair for good ("disallow overwriting of the pair nominated"), but libwebrtc, facing a lite
 * peer, nominates again whenever it switches its selected connection (on this machine it can start on one host
 * candidate and move to another, more so after an ICE restart). werift then keeps sending to a path the client no
 * longer reads: media stops while both sides say "connected". Follow each nomination of the current generation.
 */
export function followNomination(pc: RTCPeerConnection, info: StunRequestInfo): void {
  for (const transport of pc.iceTransports) {
    const conn = transport.connection as unknown as ConnectionLike
    if (info.localUfrag !== conn.localUsername) continue
    const pair = conn.checkList.find(
      (p) =>
        p.protocol === info.socket &&
        p.remoteAddr[0] === info.address[0] &&
        p.remoteAddr[1] === info.address[1],
    )
    if (pair && pair !== conn.nominated && pair.state === SUCCEEDED) conn.nominated = pair
  }
}

/**
 * After a client ICE restart, werift resets its ICE agent but only runs it again when DTLS is not connected yet
 * (`connect()` returns early otherwise). Until it runs, checks with the new credentials wait in a queue of "early
 * checks" (whenever the client's offer had no candidate we can pair with, which is usual: its candidates are
 * ignored by design), nothing is nominated, and every packet we send is dropped. Start the agent for each
 * transport that was restarted under a live DTLS session. Call after the answer is set (gathering done).
 */
export function resumeIceAfterRestart(pc: RTCPeerConnection, onError: (error: unknown) => void): void {
  for (const transport of pc.dtlsTransports) {
    const conn = transport.iceTransport.connection as unknown as ConnectionLike
    // After a restart werift's agent has no nominated pair; 'checking' means we already started it.
    const started = transport.iceTransport.state === 'checking'
    if (transport.state !== 'connected' || conn.nominated !== undefined || started) continue
    transport.iceTransport.start().catch(onError)
  }
}

/**
 * werift starts ICE and DTLS (its private `connect()`) after every remote answer without waiting for the previous
 * start to finish. A second start while DTLS is handshaking calls `dtlsTransport.start()` again, which throws
 * ("state must be new") and fails the whole PeerConnection: seen whenever a client pulls and then pushes (or
 * pulls again) before its first connection is up. Make overlapping calls share the one in progress.
 */
export function coalesceConnect(pc: RTCPeerConnection): void {
  const target = pc as unknown as { connect: () => Promise<void> }
  const original = target.connect.bind(pc)
  let running: Promise<void> | undefined
  target.connect = () => {
    running ??= original().finally(() => {
      running = undefined
    })
    return running
  }
}
