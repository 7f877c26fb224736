import type { Logger } from '../../../shared/log/logger'
import { AI_DEFAULTS, type Notice, type SettingsV1 } from '../../../shared/settings/schema'
import type { Vault } from '../vault/Vault'

/**
 * The OpenAI key belongs to the server it was saved for. The key is stored with the AI base URL in effect when it
 * was saved; `AiService` asks the vault for the key of the URL in effect now, and when the user points the
 * assistant at another server the key is removed (with a notice), so a key meant for OpenAI is never sent to a
 * server someone talked the user into entering, and a local server's token never goes to OpenAI.
 */

/** The AI server a request goes to now, in one canonical form (`https://api.openai.com/v1`, no trailing slash). */
export function aiServerScope(settings: Pick<SettingsV1, 'ai'>): string {
  const raw = settings.ai.baseUrl.trim() || AI_DEFAULTS.baseUrl
  try {
    const url = new URL(raw)
    url.hash = ''
    url.search = ''
    url.pathname = url.pathname.replace(/\/+$/, '')
    return url.href.replace(/\/+$/, '')
  } catch {
    return raw
  }
}

export const KEY_CLEARED_NOTICE = 'ai-key-cleared'

/**
 * After a settings change: when the AI server changed and a key is stored for another one, remove the key and
 * tell the user. Returns whether the key was removed.
 */
export function unbindKeyFromOldServer(
  deps: { vault: Vault; notices: Notice[]; log: Logger },
  before: Pick<SettingsV1, 'ai'>,
  after: Pick<SettingsV1, 'ai'>,
): boolean {
  const was = aiServerScope(before)
  const now = aiServerScope(after)
  if (was === now || !deps.vault.status().openaiApiKey.configured) return false
  const boundTo = deps.vault.scopeOf('openaiApiKey') ?? was
  if (boundTo === now) return false
  deps.vault.clear('openaiApiKey')
  deps.log.info('AI server changed: the stored API key was removed')
  const index = deps.notices.findIndex((n) => n.id === KEY_CLEARED_NOTICE)
  if (index >= 0) deps.notices.splice(index, 1)
  deps.notices.push({
    id: KEY_CLEARED_NOTICE,
    level: 'info',
    message: `The AI server changed to ${hostOf(now)}, so the API key saved for ${hostOf(boundTo)} was removed and will not be sent there. Enter the key for the new server in Settings → AI assistant.`,
  })
  return true
}

function hostOf(scope: string): string {
  try {
    return new URL(scope).host
  } catch {
    return 'the previous server'
  }
}
