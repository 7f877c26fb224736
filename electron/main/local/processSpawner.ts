import { fork } from 'node:child_process'
import type { UtilityProcess } from 'electron'

/** A running child process as the supervisor sees it. */
export interface SupervisedChild {
  readonly pid: number | undefined
  onMessage(listener: (message: unknown) => void): void
  /** Fires once, with the exit code (null when killed by a signal). */
  onExit(listener: (code: number | null) => void): void
  postMessage(message: unknown): void
  kill(): void
}

/** Starts backend processes. Injected, so the supervisor runs the same in Electron and in plain Node tests. */
export interface ProcessSpawner {
  spawn(entry: string, env: Readonly<Record<string, string>>): SupervisedChild
}

/** `child_process.fork` (tests, and any Node host). `execArgv` e.g. `['--import', 'tsx']` to run TypeScript. */
export function forkSpawner(options: { execArgv?: readonly string[] } = {}): ProcessSpawner {
  return {
    spawn(entry, env) {
      const child = fork(entry, [], {
        env: { ...process.env, ...env },
        execArgv: [...(options.execArgv ?? [])],
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      })
      return {
        pid: child.pid,
        onMessage: (listener) => void child.on('message', listener),
        onExit: (listener) => void child.once('exit', (code) => listener(code)),
        postMessage: (message) => {
          if (child.connected) child.send(message as object)
        },
        kill: () => void child.kill('SIGKILL'),
      }
    },
  }
}

/** The part of Electron's `utilityProcess` module used here; main passes the real one in (no electron import). */
export interface UtilityProcessModule {
  fork(
    modulePath: string,
    args?: string[],
    options?: { env?: Record<string, string>; serviceName?: string },
  ): UtilityProcess
}

/** Electron's utilityProcess: a Node child managed by Chromium's process model (crash reports, sandboxing). */
export function utilityProcessSpawner(utilityProcess: UtilityProcessModule): ProcessSpawner {
  return {
    spawn(entry, env) {
      const child = utilityProcess.fork(entry, [], {
        env: { ...(process.env as Record<string, string>), ...env },
        serviceName: 'Convene media server',
      })
      return {
        get pid() {
          return child.pid
        },
        onMessage: (listener) => void child.on('message', listener),
        onExit: (listener) => void child.once('exit', (code) => listener(code)),
        postMessage: (message) => child.postMessage(message),
        kill: () => void child.kill(),
      }
    },
  }
}
