import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export interface HostProcess {
  readonly url: string
  /** For `server/serve.ts`: the flags another web host uses to join this backend. */
  readonly joinArgs: readonly string[]
  readonly origin: string
  readonly token: string
  readonly dataDir: string
  readonly output: () => string
  stop(): Promise<void>
}

/**
 * Start the web-mode host exactly as the README does (`tsx server/web/cli.ts`), on a free port with a fresh data
 * dir, and wait for the URL it prints.
 */
export async function startHostProcess(
  options: { dataDir?: string; rendererDir?: string; script?: string; args?: readonly string[] } = {},
): Promise<HostProcess> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'convene-e2e-'))
  // One process (`node --import tsx`), not the tsx CLI, which forks a child that could outlive a stop().
  const child: ChildProcess = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      options.script ?? 'server/web/cli.ts',
      '--port',
      '0',
      '--data-dir',
      dataDir,
      ...(options.rendererDir ? ['--renderer', options.rendererDir] : []),
      ...(options.args ?? []),
    ],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env } },
  )
  let output = ''
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()))
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()))
  const url = await new Promise<string>((resolvePromise, reject) => {
    const timer = setTimeout(() => reject(new Error(`web host did not start:\n${output}`)), 30_000)
    const check = (): void => {
      const match = /(http:\/\/\S+#token=\S+)/.exec(output)
      if (match?.[1]) {
        clearTimeout(timer)
        resolvePromise(match[1])
      }
    }
    child.stdout?.on('data', check)
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`web host exited with ${code}:\n${output}`))
    })
  })
  const parsed = new URL(url)
  // serve.ts prints the flags for joining its backend on the line after the URL.
  await new Promise((r) => setTimeout(r, 50))
  const joinFlags = /npm run web -- (.+)/.exec(output)?.[1]?.trim().split(/\s+/) ?? []
  return {
    url,
    joinArgs: joinFlags,
    origin: parsed.origin,
    token: parsed.hash.replace('#token=', ''),
    dataDir,
    output: () => output,
    stop: () =>
      new Promise<void>((resolvePromise) => {
        if (child.exitCode !== null) return resolvePromise()
        child.once('exit', () => resolvePromise())
        child.kill('SIGTERM')
      }),
  }
}
