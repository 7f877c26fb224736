import type { InvokeName, RequestOf } from '../../shared/ipc/contract'

/**
 * Valid requests for every invoke channel. The router fuzz test fails when a channel has none, so a new channel
 * cannot skip the contract tests.
 */
export const validRequests: { readonly [K in InvokeName]: ReadonlyArray<RequestOf<K>> } = {
  'app:getInfo': [{}],
  'settings:get': [{}],
  'settings:update': [
    { patch: {} },
    { patch: { displayName: 'Ada Lovelace' } },
    { patch: { backend: 'cloudflare', cloudflare: { appId: '0123456789abcdef0123456789abcdef' } } },
    { patch: { worker: { url: 'https://meet.example.org' } } },
    { patch: { worker: { url: '' }, cloudflare: { turnKeyId: '' } } },
  ],
  'settings:dismissNotice': [{ id: 'storage-insecure' }],
  'vault:setSecret': [
    { name: 'openaiApiKey', value: 'sk-test-1234567890' },
    { name: 'callsAppSecret', value: 'a'.repeat(64), acceptInsecureStorage: true },
  ],
  'vault:clearSecret': [{ name: 'workerToken' }],
  'shell:openExternal': [{ url: 'https://example.org/help' }],
  'diagnostics:getLog': [{ limit: 10 }],
}
