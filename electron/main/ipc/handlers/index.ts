import type { Platform, Services } from '../../app/services'
import type { Handlers } from '../router'
import { aiHandlers } from './ai'
import { appHandlers } from './app'
import { callsHandlers } from './calls'
import { desktopHandlers } from './desktop'
import { recordingHandlers } from './recording'
import { roomHandlers } from './room'
import { settingsHandlers } from './settings'
import { shellHandlers } from './shell'

export type HandlerServices = Omit<Services, 'router'>

/** Every invoke channel's handler; the `Handlers` type makes a missing one a compile error. */
export function createHandlers(services: HandlerServices, platform: Platform): Handlers {
  return {
    ...appHandlers(services, platform),
    ...settingsHandlers(services),
    ...shellHandlers(platform),
    ...aiHandlers(services),
    ...recordingHandlers(services.recordings, platform),
    ...callsHandlers(services),
    ...desktopHandlers(services),
    ...roomHandlers(services),
  }
}
