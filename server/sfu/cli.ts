import { parseArgs } from 'node:util'
import { consoleSink, createLogger } from '../../shared/log/logger'
import { Redactor } from '../../shared/log/redact'
import { startSfu } from './index'

/**
 * The media server on its own, for running the backend as separate processes (and restarting one of them):
 * `tsx server/sfu/cli.ts [--host 127.0.0.1|lan] [--port 0]`. The bearer token comes from CONVENE_SFU_TOKEN (the
 * variable `npm run web` reads too), so it stays off the command line and survives a restart; without it the
 * token is random per launch and printed, as `npm run serve` does. Prints `READY <baseUrl>` once listening.
 */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      host: { type: 'string', default: '127.0.0.1' },
      port: { type: 'string', default: '0' },
    },
  })
  const given = process.env['CONVENE_SFU_TOKEN']
  if (given !== undefined && given.length < 16)
    throw new Error('CONVENE_SFU_TOKEN must have 16 characters or more.')
  const redactor = new Redactor()
  if (given) redactor.add(given)
  const sfu = await startSfu({
    log: createLogger('sfu', [consoleSink('warn')], redactor),
    host: values.host,
    port: Number(values.port),
    ...(given ? { token: given } : {}),
  })
  if (!given) process.stdout.write(`Token: ${sfu.token}\n`)
  process.stdout.write(`READY ${sfu.baseUrl}\n`)
  const stop = (): void => void sfu.close().then(() => process.exit(0))
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)
}

main().catch((error: unknown) => {
  process.stderr.write(
    `media server could not start: ${error instanceof Error ? error.message : String(error)}\n`,
  )
  process.exit(1)
})
