import { parseDeepLink, type OpenRoomRequest } from '../../../shared/desktop/deepLink'
import type { Logger } from '../../../shared/log/logger'
import { linkFromArgv } from './argv'

/**
 * Where links from the OS land. Each link is parsed at once (untrusted input), kept until the renderer takes it and
 * announced to listeners (services forward it as the `app:openRoom` event; the shell focuses the window).
 *
 * Opening a link only ever shows a lobby: nothing here joins a meeting, shares anything or changes a setting.
 * Links can arrive before the window or the renderer exist (macOS `open-url` fires before `ready`, the first
 * launch carries its link in argv), so the latest one waits here until `take()`.
 */
export class DeepLinkInbox {
  private pending: OpenRoomRequest | null = null
  private readonly listeners = new Set<(request: OpenRoomRequest) => void>()
  private log: Logger | null = null

  /** Set once services exist; links that arrived earlier were kept, not logged. */
  setLogger(log: Logger): void {
    this.log = log
  }

  /** A link from `open-url`, argv or a paste. Never throws; a malformed link becomes an `invalid` request. */
  receive(raw: unknown): OpenRoomRequest {
    const request = parseDeepLink(raw)
    this.pending = request
    this.log?.info(
      'deep link received',
      request.kind === 'room' ? { room: request.room } : { kind: 'invalid' },
    )
    for (const listener of this.listeners) {
      try {
        listener(request)
      } catch (error) {
        this.log?.warn('deep link listener threw', { error: String(error) })
      }
    }
    return request
  }

  /** The link in a command line (first launch, `second-instance`), if there is one. */
  receiveArgv(argv: readonly string[]): OpenRoomRequest | null {
    const link = linkFromArgv(argv)
    return link === null ? null : this.receive(link)
  }

  /** The link waiting for the renderer, once: a reload does not open it again. */
  take(): OpenRoomRequest | null {
    const request = this.pending
    this.pending = null
    return request
  }

  onLink(listener: (request: OpenRoomRequest) => void): () => void {
    this.listeners.add(listener)
    return () => void this.listeners.delete(listener)
  }
}
