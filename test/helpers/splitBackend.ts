import { spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/**
 * The backend `npm run serve` runs in one process (media server + room hub), here as two processes from their own
 * entry points (`server/sfu/cli.ts`, `server/hub/cli.ts`), so a test can kill and restart one of them on the same
 * port. Web hosts join it with `joinArgs`, as they join `serve.ts`. The media server's token is fixed for the
 * backend's lifetime (given through CONVENE_SFU_TOKEN), so hosts keep working across a restart.
 */
export interface SplitBackend {
  /** Flags for `server/web/cli.ts` to use this backend. */
  readonly joinArgs: readonly string[]
  /** Kill the media server (SIGKILL: every session is gone) and start a fresh one on the same port. */
  restartSfu(): Promise<void>
  /** Kill the room hub (SIGKILL, as a crash); `startHub` brings it back on the same port. */
  killHub(): Promise<void>
  startHub(): Promise<void>
  output(): string
  stop(): Promise<void>
}

interface Service {
  readonly child: ChildProcess
  readonly ready: string
}

export async function startSplitBackend(options: { hubStorage: boolean }): Promise<SplitBackend> {
  // Hex: a base64url token may start with '-', which a command line reads as an option.
  const token = randomBytes(24).toString('hex')
  const storage = options.hubStorage ? mkdtempSync(join(tmpdir(), 'convene-rooms-')) : null
  let output = ''
  const launch = (script: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<Service> => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env,
    })
    let mine = ''
    const collect = (d: Buffer): void => {
      mine += d.toString()
      output += d.toString()
    }
    child.stdout?.on('data', collect)
    child.stderr?.on('data', collect)
    return new Promise<Service>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${script} did not start:\n${mine}`)), 30_000)
      child.stdout?.on('data', () => {
        const ready = /READY (\S+)/.exec(mine)?.[1]
        if (ready) {
          clearTimeout(timer)
          resolve({ child, ready })
        }
      })
      child.once('exit', (code) => {
        clearTimeout(timer)
        reject(new Error(`${script} exited with ${code}:\n${mine}`))
      })
    })
  }
  // The restarted process binds the port the first one picked; a just-killed listener can take a moment to go.
  const relaunch = async (
    script: string,
    args: readonly string[],
    env: NodeJS.ProcessEnv,
  ): Promise<Service> => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await launch(script, args, env)
      } catch (error) {
        if (attempt >= 5 || !String(error).includes('EADDRINUSE')) throw error
        await new Promise((r) => setTimeout(r, 200))
      }
    }
  }
  const kill = (service: Service | null): Promise<void> =>
    new Promise((resolve) => {
      if (!service || service.child.exitCode !== null || service.child.signalCode !== null) return resolve()
      service.child.once('exit', () => resolve())
      service.child.kill('SIGKILL')
    })

  const sfuEnv = { ...process.env, CONVENE_SFU_TOKEN: token }
  const hubArgs = storage ? ['--storage', storage] : []
  let sfu: Service | null = await launch('server/sfu/cli.ts', [], sfuEnv)
  let hub: Service | null = await launch('server/hub/cli.ts', hubArgs, process.env)
  const sfuPort = new URL(sfu.ready).port
  const hubOrigin = hub.ready
  const hubPort = new URL(hubOrigin).port
  return {
    joinArgs: ['--sfu-url', sfu.ready, '--sfu-token', token, '--hub-url', hubOrigin],
    restartSfu: async () => {
      await kill(sfu)
      sfu = null
      sfu = await relaunch('server/sfu/cli.ts', ['--port', sfuPort], sfuEnv)
    },
    killHub: async () => {
      await kill(hub)
      hub = null
    },
    startHub: async () => {
      if (hub) return
      hub = await relaunch('server/hub/cli.ts', ['--port', hubPort, ...hubArgs], process.env)
    },
    output: () => output,
    stop: async () => {
      await Promise.all([kill(sfu), kill(hub)])
    },
  }
}
