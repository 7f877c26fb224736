import { cloudflareTest } from '@cloudflare/vitest-plugin'
import { defineConfig } from 'vitest/config'

const here = import.meta.dirname
// Keep miniflare off the network: no cf.json download (it would fall back anyway), no metrics.
process.env['CLOUDFLARE_CF_FETCH_ENABLED'] ??= 'false'
process.env['WRANGLER_SEND_METRICS'] ??= 'false'

/**
 * The Worker's tests run inside workerd (not Node): `npx vitest run --config worker/vitest.config.ts`. Secrets are
 * test values; CALLS_API_BASE points at the loopback discard port, so nothing here can reach Cloudflare even if a
 * test forgot its fetch mock.
 */
export default defineConfig({
  plugins: [
    cloudflareTest({
      wrangler: { configPath: `${here}/wrangler.jsonc` },
      miniflare: {
        bindings: {
          JOIN_TOKEN_SECRET: 'worker-test-join-secret',
          ADMIN_TOKEN: 'worker-test-admin-token',
          CALLS_APP_ID: 'test-app-id',
          CALLS_APP_SECRET: 'worker-test-calls-secret',
          CALLS_API_BASE: 'http://127.0.0.1:9/v1',
          ROOM_TEST_HOOKS: '1',
        },
      },
    }),
  ],
  // Paths are relative to the repo root (run it from there), like the main config's.
  test: { name: 'worker', include: ['worker/src/**/*.test.ts'] },
})
