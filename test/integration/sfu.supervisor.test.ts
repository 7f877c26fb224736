import { resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import {
  LocalBackendSupervisor,
  type LocalSfuEndpoint,
} from '../../electron/main/local/LocalBackendSupervisor'
import { forkSpawner } from '../../electron/main/local/processSpawner'
import { createLogger } from '../../shared/log/logger'
import { Redactor } from '../../shared/log/redact'
import { SfuApi } from '../helpers/sfuApi'
import { waitFor } from '../helpers/wrtcClient'

const log = createLogger('test', [], new Redactor())

describe('local backend supervisor with a real child process', { timeout: 60_000 }, () => {
  it('starts the SFU, restarts it after a crash with a new endpoint, and stops it', async () => {
    const endpoints: (LocalSfuEndpoint | undefined)[] = []
    const pids: number[] = []
    const spawner = forkSpawner({ execArgv: ['--import', 'tsx'] })
    const supervisor = new LocalBackendSupervisor({
      spawner: {
        spawn: (entry, env) => {
          const child = spawner.spawn(entry, env)
          if (child.pid) pids.push(child.pid)
          return child
        },
      },
      entry: resolve('server/sfu/processEntry.ts'),
      log,
      policy: { initialDelayMs: 100 },
      onEndpoint: (e) => endpoints.push(e),
    })
    supervisor.start()
    await waitFor(() => endpoints.length === 1, 'the backend to be ready', 30_000)
    const first = endpoints[0]!
    const api = new SfuApi(first.baseUrl, first.token)
    expect((await api.newSession()).sessionId).toMatch(/^[0-9a-f]{32}$/)

    process.kill(pids[0]!, 'SIGKILL')
    await waitFor(() => endpoints.length === 3, 'the endpoint to go away and come back', 30_000)
    expect(endpoints[1]).toBeUndefined()
    const second = endpoints[2]!
    expect(second.token).not.toBe(first.token)
    expect((await new SfuApi(second.baseUrl, second.token).newSession()).sessionId).toBeTruthy()

    await supervisor.stop()
    expect(supervisor.state).toBe('stopped')
    await waitFor(() => {
      try {
        process.kill(pids[1]!, 0)
        return false
      } catch {
        return true
      }
    }, 'the backend process to exit')
  })
})
