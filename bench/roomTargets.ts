import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { signJoinToken } from '../shared/room/token'

/** A room service under benchmark: where to connect, how to get a token, how to stop it. */
export interface RoomTarget {
  readonly name: string
  socketUrl(room: string): string
  token(room: string, name: string): Promise<string>
  stop(): Promise<void>
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })
}

/** Stop a detached child and everything it started (wrangler leaves workerd behind otherwise). */
function killGroup(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.pid === undefined) return resolve()
    child.once('exit', () => resolve())
    try {
      process.kill(-child.pid, 'SIGTERM')
    } catch {
      resolve()
    }
    setTimeout(() => {
      try {
        process.kill(-child.pid!, 'SIGKILL')
      } catch {
        // Already gone.
      }
    }, 3000).unref()
  })
}

const LIMITS = { rate: 100_000 }

/** The local hub in its own process (as the app runs it), journaling to a temp dir. */
export async function startHub(): Promise<RoomTarget> {
  const storage = mkdtempSync(join(tmpdir(), 'convene-bench-hub-'))
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'server/hub/cli.ts', '--storage', storage, '--rate', String(LIMITS.rate)],
    { detached: true, stdio: ['ignore', 'pipe', 'inherit'] },
  )
  const origin = await new Promise<string>((resolve, reject) => {
    let out = ''
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString()
      const match = /READY (\S+)/.exec(out)
      if (match) resolve(match[1]!)
    })
    child.once('exit', (code) => reject(new Error(`hub exited with ${code}`)))
  })
  return {
    name: 'hub',
    socketUrl: (room) => `${origin.replace('http', 'ws')}/rooms/${room}/socket`,
    token: async () => '',
    stop: async () => {
      await killGroup(child)
      rmSync(storage, { recursive: true, force: true })
    },
  }
}

const SECRET = 'bench-join-secret-0123456789'

/** Worker vars for both workerd targets: test secrets, Calls upstream on the loopback discard port, no rate cap. */
const workerVars = {
  JOIN_TOKEN_SECRET: SECRET,
  ADMIN_TOKEN: 'bench-admin-token-0123456789',
  CALLS_APP_ID: 'bench',
  CALLS_APP_SECRET: 'bench-calls-secret-0123456789',
  CALLS_API_BASE: 'http://127.0.0.1:9/v1',
  ROOM_RATE_PER_SECOND: String(LIMITS.rate),
  ROOM_RATE_BURST: String(LIMITS.rate * 2),
}

const doToken = (room: string, name: string) =>
  signJoinToken(SECRET, { v: 1, room, name, role: 'guest', exp: Math.floor(Date.now() / 1000) + 3600 })

/** ROOM_BENCH_TMP=/dev/shm takes the disk's fsync cost out of the DO's storage commits. */
const benchTmp = () => process.env['ROOM_BENCH_TMP'] ?? tmpdir()

/**
 * The Worker bundled with esbuild and run by Miniflare directly: workerd with no dev proxy in front, so every
 * frame reaches the room object as in production.
 */
export async function startMiniflare(): Promise<RoomTarget> {
  process.env['CLOUDFLARE_CF_FETCH_ENABLED'] = 'false'
  const { build } = await import('esbuild')
  const { Miniflare, convertV4MiniflareOptions } = await import('miniflare')
  const dir = mkdtempSync(join(benchTmp(), 'convene-bench-mf-'))
  const scriptPath = join(dir, 'worker.mjs')
  await build({
    entryPoints: ['worker/src/index.ts'],
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    conditions: ['workerd', 'worker', 'browser'],
    mainFields: ['module', 'main'],
    external: ['cloudflare:*', 'node:*'],
    outfile: scriptPath,
    logLevel: 'warning',
  })
  const port = await freePort()
  const mf = new Miniflare(
    convertV4MiniflareOptions({
      name: 'convene',
      modules: true,
      modulesRoot: dir,
      scriptPath,
      compatibilityDate: '2026-10-01',
      compatibilityFlags: ['nodejs_compat'],
      durableObjects: { ROOMS: { className: 'RoomObject', useSQLite: true } },
      bindings: workerVars,
      host: '127.0.0.1',
      port,
      defaultPersistRoot: join(dir, 'state'),
      cf: false,
    } as Parameters<typeof convertV4MiniflareOptions>[0]),
  )
  try {
    await mf.ready
  } catch (error) {
    await mf.dispose().catch(() => undefined)
    rmSync(dir, { recursive: true, force: true })
    throw error
  }
  return {
    name: 'do',
    socketUrl: (room) => `ws://127.0.0.1:${port}/rooms/${room}/socket`,
    token: doToken,
    stop: async () => {
      await mf.dispose()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

/** The Worker and its room Durable Object in workerd (`wrangler dev --local`), state in a temp dir. */
export async function startWorker(): Promise<RoomTarget> {
  const port = await freePort()
  const persist = mkdtempSync(join(benchTmp(), 'convene-bench-do-'))
  const args = [
    'dev',
    '--local',
    '--config',
    'worker/wrangler.jsonc',
    '--ip',
    '127.0.0.1',
    '--port',
    String(port),
  ]
  args.push('--persist-to', persist, '--show-interactive-dev-session=false')
  for (const [k, v] of Object.entries(workerVars)) args.push('--var', `${k}:${v}`)
  const child = spawn('node_modules/.bin/wrangler', args, {
    detached: true, // its own process group, so stop() takes workerd down too
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, CI: 'true', WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false' },
  })
  let stderr = ''
  child.stderr!.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)))
  const origin = `http://127.0.0.1:${port}`
  const deadline = Date.now() + 60_000
  for (;;) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited: ${stderr}`)
    try {
      if ((await fetch(`${origin}/healthz`)).ok) break
    } catch {
      // Not up yet.
    }
    if (Date.now() > deadline) {
      await killGroup(child)
      throw new Error(`wrangler dev did not start in 60 s: ${stderr}`)
    }
    await sleep(200)
  }
  return {
    name: 'do-wrangler',
    socketUrl: (room) => `ws://127.0.0.1:${port}/rooms/${room}/socket`,
    token: doToken,
    stop: async () => {
      await killGroup(child)
      rmSync(persist, { recursive: true, force: true })
    },
  }
}
