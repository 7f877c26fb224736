import { readFileSync } from 'node:fs'
import { homedir } from 'node:os'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { createServices } from '../../electron/main/app/services'
import { consoleSink } from '../../shared/log/logger'
import { nodePlatform } from './platform/nodePlatform'
import { startWebHost } from './host'

/** `npm run web`: the web-mode host on 127.0.0.1 (or --host for a LAN), printing the URL to open. */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      host: { type: 'string', default: '127.0.0.1' },
      port: { type: 'string', default: process.env['CONVENE_PORT'] ?? '5180' },
      'data-dir': {
        type: 'string',
        default: process.env['CONVENE_DATA_DIR'] ?? join(homedir(), '.convene-web'),
      },
      renderer: { type: 'string', default: resolve('out/renderer') },
      token: { type: 'string' },
      // Join a local backend that another machine or process hosts (`npm run serve` prints these).
      'sfu-url': { type: 'string', default: process.env['CONVENE_SFU_URL'] },
      'sfu-token': { type: 'string', default: process.env['CONVENE_SFU_TOKEN'] },
      'hub-url': { type: 'string', default: process.env['CONVENE_HUB_URL'] },
    },
  })
  const pkg = JSON.parse(readFileSync(resolve('package.json'), 'utf8')) as { version: string }
  const services = await createServices(
    nodePlatform({
      dataDir: resolve(values['data-dir']),
      version: pkg.version,
      logSinks: [consoleSink('info')],
    }),
  )
  const sfuUrl = values['sfu-url']
  const sfuToken = values['sfu-token']
  if (sfuUrl && sfuToken) services.calls.setLocalSfu({ baseUrl: sfuUrl, token: sfuToken })
  if (values['hub-url']) services.rooms.setLocalHub(values['hub-url'])
  const host = await startWebHost({
    services,
    rendererDir: values.renderer,
    host: values.host,
    port: Number(values.port),
    ...(values.token ? { token: values.token } : {}),
  })
  process.stdout.write(`\nConvene (web mode) is running. Open:\n\n  ${host.url}\n\n`)
  const stop = (): void => void host.close().then(() => process.exit(0))
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)
}

main().catch((error: unknown) => {
  process.stderr.write(`Convene could not start: ${error instanceof Error ? error.message : String(error)}\n`)
  process.exit(1)
})
