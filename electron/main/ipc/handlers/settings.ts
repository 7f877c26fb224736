import { aiServerScope, unbindKeyFromOldServer } from '../../ai/keyBinding'
import type { Handlers } from '../router'
import type { HandlerServices } from './index'

export function settingsHandlers(
  services: HandlerServices,
): Pick<
  Handlers,
  'settings:get' | 'settings:update' | 'settings:dismissNotice' | 'vault:setSecret' | 'vault:clearSecret'
> {
  const { settings, vault, events, notices, log } = services
  const changed = () => {
    const view = services.view()
    events.emit('settings:changed', view)
    return view
  }
  return {
    'settings:get': () => services.view(),
    'settings:update': ({ patch }) => {
      const before = settings.current
      const after = settings.update(patch)
      log.info('settings updated', { fields: Object.keys(patch) })
      // The OpenAI key is bound to the AI server it was saved for: a new server never receives it.
      unbindKeyFromOldServer({ vault, notices, log }, before, after)
      return changed()
    },
    'settings:dismissNotice': ({ id }) => {
      const index = notices.findIndex((n) => n.id === id)
      if (index >= 0) notices.splice(index, 1)
      return changed()
    },
    'vault:setSecret': async ({ name, value, acceptInsecureStorage }) => {
      const scope = name === 'openaiApiKey' ? aiServerScope(settings.current) : undefined
      await vault.set(name, value, acceptInsecureStorage === true, scope)
      return changed()
    },
    'vault:clearSecret': ({ name }) => {
      vault.clear(name)
      return changed()
    },
  }
}
