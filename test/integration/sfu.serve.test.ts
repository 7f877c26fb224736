import { spawn } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { waitFor } from '../helpers/wrtcClient'

describe('npm run serve', { timeout: 60_000 }, () => {
  it('starts the media server and the web host in one process, and stops on SIGTERM', async () => {
    const child = spawn(
      resolve('node_modules/.bin/tsx'),
      ['server/serve.ts', '--port', '0', '--data-dir', mkdtempSync(join(tmpdir(), 'convene-serve-'))],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    )
    let output = ''
    child.stdout.on('data', (d: Buffer) => (output += d.toString()))
    child.stderr.on('data', (d: Buffer) => (output += d.toString()))
    try {
      await waitFor(() => /Media server: http/.test(output), 'serve to print its addresses', 45_000)
      const web = /(http:\/\/127\.0\.0\.1:\d+)\/#token=/.exec(output)?.[1]
      const media = /Media server: (http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1]
      expect((await fetch(`${web}/healthz`)).status).toBe(200)
      expect((await fetch(`${media}/healthz`)).status).toBe(200)
      // The media API is not open: it takes the launch token that only the host's Calls client knows.
      expect((await fetch(`${media}/v1/apps/local/sessions/new`, { method: 'POST' })).status).toBe(401)
    } finally {
      const exited = new Promise((r) => child.once('exit', r))
      child.kill('SIGTERM')
      await exited
    }
  })
})
