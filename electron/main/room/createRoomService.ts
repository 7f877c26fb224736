import { dirname, join } from 'node:path'
import { AppError } from '../../../shared/errors/AppError'
import type { Logger } from '../../../shared/log/logger'
import type { EventHub } from '../ipc/events'
import type { SettingsRepository } from '../settings/SettingsRepository'
import type { Vault } from '../vault/Vault'
import { roomSocketUrl, RoomService, type RoomEndpoint, type RoomServiceDeps } from './RoomService'

export interface Rooms {
  readonly service: RoomService
  /** The embedded backend registers its room hub here once it listens (`http://127.0.0.1:<port>`); null removes it. */
  setLocalHub(origin: string | null): void
}

/**
 * Rooms follow the backend setting: `local` uses the embedded hub (open rooms on this machine or LAN);
 * `worker` and `cloudflare` use the Convene Worker's room objects with the user token from the vault (with
 * Cloudflare direct, media goes to Calls but rooms still need a Worker).
 */
export function createRoomService(deps: {
  readonly log: Logger
  readonly events: EventHub
  readonly settings: SettingsRepository
  readonly vault: Vault
  /** Where settings live; the outbox file goes next to them. */
  readonly settingsPath: string
  readonly client?: RoomServiceDeps['client']
}): Rooms {
  let localHub: string | null = null
  const resolve = (room: string): RoomEndpoint => {
    const { backend, worker } = deps.settings.current
    if (backend === 'local') {
      if (!localHub) {
        throw new AppError({
          code: 'network',
          message: 'The local meeting service is not running yet. Wait a moment, or restart Convene.',
          retryable: true,
        })
      }
      return { url: roomSocketUrl(localHub, room), token: '' }
    }
    if (!worker.url) {
      throw AppError.invalidRequest(
        'Rooms need a Convene server. Enter its address under Settings → Backend.',
      )
    }
    const token = deps.vault.get('workerToken')
    if (!token) throw AppError.invalidRequest('Enter your Convene server token under Settings → Backend.')
    return { url: roomSocketUrl(worker.url, room), token }
  }
  const service = new RoomService({
    log: deps.log,
    events: deps.events,
    outboxPath: join(dirname(deps.settingsPath), 'room-outbox.json'),
    resolve,
    ...(deps.client ? { client: deps.client } : {}),
  })
  return { service, setLocalHub: (origin) => void (localHub = origin) }
}
