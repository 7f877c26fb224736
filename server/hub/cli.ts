import { parseArgs } from 'node:util'
import { consoleSink, createLogger } from '../../shared/log/logger'
import { Redactor } from '../../shared/log/redact'
import { startRoomHub } from './RoomHub'

/**
 * The room hub on its own: `tsx server/hub/cli.ts [--port 5181] [--host 127.0.0.1] [--storage DIR]
 * [--token-secret S] [--rate N]`. Prints `READY <origin>` once listening (benchmarks and tests wait for it).
 */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      host: { type: 'string', default: '127.0.0.1' },
      port: { type: 'string', default: '0' },
      storage: { type: 'string' },
      'token-secret': { type: 'string' },
      rate: { type: 'string' },
    },
  })
  const rate = values.rate ? Number(values.rate) : undefined
  const hub = await startRoomHub({
    log: createLogger('hub', [consoleSink('warn')], new Redactor()),
    host: values.host,
    port: Number(values.port),
    ...(values.storage ? { storageDir: values.storage } : {}),
    tokenSecret: values['token-secret'] ?? null,
    ...(rate ? { config: { ratePerSecond: rate, rateBurst: rate * 2 } } : {}),
  })
  process.stdout.write(`READY ${hub.origin}\n`)
  const stop = (): void => void hub.close().then(() => process.exit(0))
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)
}

main().catch((error: unknown) => {
  process.stderr.write(
    `room hub could not start: ${error instanceof Error ? error.message : String(error)}\n`,
  )
  process.exit(1)
})
