import type { Platform } from '../../app/services'
import type { Handlers } from '../router'
import type { HandlerServices } from './index'

export function appHandlers(
  services: HandlerServices,
  platform: Platform,
): Pick<Handlers, 'app:getInfo' | 'diagnostics:getLog'> {
  return {
    'app:getInfo': () => platform.info,
    'diagnostics:getLog': ({ limit }) => ({ entries: services.logBuffer.last(limit) }),
  }
}
