import { readFileSync } from 'node:fs'
import { homedir } from 'node:os'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { createServices } from '../electron/main/app/services'
import { consoleSink } from '../shared/log/logger'
import { startRoomHub } from './hub/RoomHub'
import { resolveHost, startSfu } from './sfu'
import { startWebHost } from './web/host'
import { nodePlatform } from './web/platform/nodePlatform'

/**
 * `npm run serve`: one command that hosts a meeting without Cloudflare. It starts the embedded backend (the
 * Calls-compatible SFU; the room hub goes next to it) and the web-mode host that serves the app to browsers.
 *
 *   npm run serve                       this machine only (127.0.0.1)
 *   npm run serve -- --host lan         everyone on the LAN (this machine's first non-internal IPv4 address)
 *   npm run serve -- --host 192.168.1.5 --port 5180 --sfu-port 0 --data-dir ~/.convene-web
 */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      host: { type: 'string', default: process.env['CONVENE_HOST'] ?? '127.0.0.1' },
      port: { type: 'string', default: process.env['CONVENE_PORT'] ?? '5180' },
      'sfu-port': { type: 'string', default: process.env['CONVENE_SFU_PORT'] ?? '0' },
      'data-dir': {
        type: 'string',
        default: process.env['CONVENE_DATA_DIR'] ?? join(homedir(), '.convene-web'),
      },
      renderer: { type: 'string', default: resolve('out/renderer') },
      token: { type: 'string' },
      'hub-port': { type: 'string', default: process.env['CONVENE_HUB_PORT'] ?? '0' },
    },
  })
  const host = resolveHost(values.host)
  const pkg = JSON.parse(readFileSync(resolve('package.json'), 'utf8')) as { version: string }
  const services = await createServices(
    nodePlatform({
      dataDir: resolve(values['data-dir']),
      version: pkg.version,
      logSinks: [consoleSink('info')],
    }),
  )
  const log = services.log.child('serve')

  // 1. The media server. Its token is per launch; the Calls client in `services` is the only one that needs it.
  const sfu = await startSfu({ log, host, port: Number(values['sfu-port']) })
  services.calls.setLocalSfu({ baseUrl: sfu.baseUrl, token: sfu.token })

  // 2. The room hub: rooms journal to the data dir, so a restart keeps chat and membership.
  const hub = await startRoomHub({
    log: log.child('hub'),
    host,
    port: Number(values['hub-port']),
    tokenSecret: null,
    storageDir: join(resolve(values['data-dir']), 'rooms'),
  })
  services.rooms.setLocalHub(hub.origin)

  // 3. The app, served to browsers.
  const web = await startWebHost({
    services,
    rendererDir: values.renderer,
    host,
    port: Number(values.port),
    ...(values.token ? { token: values.token } : {}),
  })
  process.stdout.write(
    `\nConvene is hosting meetings. Open this link in a browser${host === '127.0.0.1' ? '' : ' (anyone on your network can)'}:\n\n  ${web.url}\n\n` +
      `Media server: ${sfu.origin}   Rooms: ${hub.origin}\n` +
      `Another Convene on this network joins this backend with:\n  npm run web -- --sfu-url ${sfu.baseUrl} --sfu-token=${sfu.token} --hub-url ${hub.origin}\n\n`,
  )
  let stopping = false
  const stop = (): void => {
    if (stopping) return
    stopping = true
    void Promise.allSettled([web.close(), hub.close(), sfu.close()]).then(() => process.exit(0))
  }
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)
}

main().catch((error: unknown) => {
  process.stderr.write(`Convene could not start: ${error instanceof Error ? error.message : String(error)}\n`)
  process.exit(1)
})
