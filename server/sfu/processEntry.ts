import { missingCaseError } from '../../shared/errors/AppError'
import { consoleSink, createLogger } from '../../shared/log/logger'
import { Redactor } from '../../shared/log/redact'
import { startSfu, type SfuServer } from './index'
import { BACKEND_ENV, SupervisorMessage, type BackendMessage } from './processProtocol'

/**
 * Entry point of the local backend process that the app's main process supervises (electron/main/local/).
 * Works as an Electron utilityProcess (`process.parentPort`) and as a `child_process.fork` child (`process.send`).
 * Reports `ready` with the SFU's base URL and launch token, and exits on `shutdown` or when the parent is gone.
 */

interface ParentPort {
  postMessage(message: unknown): void
  on(event: 'message', listener: (event: { data: unknown }) => void): void
}

const parentPort = (process as unknown as { parentPort?: ParentPort }).parentPort

function send(message: BackendMessage): void {
  if (parentPort) parentPort.postMessage(message)
  else process.send?.(message)
}

function onParentMessage(listener: (message: unknown) => void): void {
  if (parentPort) parentPort.on('message', (event) => listener(event.data))
  else process.on('message', listener)
}

async function main(): Promise<void> {
  const redactor = new Redactor()
  const log = createLogger('backend', [consoleSink('info')], redactor)
  let server: SfuServer | undefined
  const stop = async (code: number): Promise<void> => {
    await server?.close().catch(() => undefined)
    process.exit(code)
  }
  onParentMessage((raw) => {
    const message = SupervisorMessage.safeParse(raw)
    if (!message.success) {
      log.warn('ignored a malformed message from the app')
      return
    }
    switch (message.data.type) {
      case 'shutdown':
        void stop(0)
        break
      default:
        throw missingCaseError(message.data.type)
    }
  })
  // A fork child whose parent died: nobody will ever send shutdown.
  process.on('disconnect', () => void stop(0))
  process.on('SIGTERM', () => void stop(0))
  try {
    server = await startSfu({
      log,
      host: process.env[BACKEND_ENV.host] ?? '127.0.0.1',
      port: Number(process.env[BACKEND_ENV.port] ?? 0),
      corsOrigins: (process.env[BACKEND_ENV.corsOrigins] ?? '').split(',').filter((o) => o.length > 0),
    })
  } catch (error) {
    send({ type: 'fatal', message: error instanceof Error ? error.message : String(error) })
    process.exit(1)
  }
  redactor.add(server.token)
  send({ type: 'ready', baseUrl: server.baseUrl, token: server.token, port: server.port })
}

void main()
