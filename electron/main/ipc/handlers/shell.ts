import { AppError } from '../../../../shared/errors/AppError'
import { isSafeExternalUrl } from '../../security/navigation'
import type { Platform } from '../../app/services'
import type { Handlers } from '../router'

export function shellHandlers(platform: Platform): Pick<Handlers, 'shell:openExternal'> {
  return {
    'shell:openExternal': async ({ url }) => {
      if (!isSafeExternalUrl(url)) {
        throw AppError.invalidRequest('Only https:// links can be opened from Convene.')
      }
      return { opened: await platform.openExternal(url) }
    },
  }
}
