import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export interface DirectHost {
  readonly url: string
  readonly origin: string
  readonly token: string
  readonly dataDir: string
  readonly pid: number
  readonly output: () => string
  /** SIGKILL, the way a crash or the OOM killer ends it: no handler runs. */
  kill(): Promise<void>
  stop(): Promise<void>
}

/**
 * The web host as one Node process (`node --import tsx server/web/cli.ts`), unlike `startHostProcess` whose tsx
 * CLI forks a child: here the pid is the host itself, so a SIGKILL really kills the server mid-write.
 */
export async function startDirectHost(
  options: { dataDir?: string; rendererDir?: string } = {},
): Promise<DirectHost> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'convene-rec-'))
  const child: ChildProcess = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      'server/web/cli.ts',
      '--port',
      '0',
      '--data-dir',
      dataDir,
      ...(options.rendererDir ? ['--renderer', options.rendererDir] : []),
    ],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env } },
  )
  let output = ''
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()))
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()))
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`web host did not start:\n${output}`)), 30_000)
    child.stdout?.on('data', () => {
      const match = /(http:\/\/\S+#token=\S+)/.exec(output)
      if (match?.[1]) {
        clearTimeout(timer)
        resolve(match[1])
      }
    })
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`web host exited with ${code}:\n${output}`))
    })
  })
  const parsed = new URL(url)
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const signal = async (sig: NodeJS.Signals): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill(sig)
    await exited
  }
  return {
    url,
    origin: parsed.origin,
    token: parsed.hash.replace('#token=', ''),
    dataDir,
    pid: child.pid!,
    output: () => output,
    kill: () => signal('SIGKILL'),
    stop: () => signal('SIGTERM'),
  }
}
