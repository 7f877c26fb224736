import { createHash } from 'node:crypto'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

/** One published release as electron-builder would upload it: the metadata yml plus the installer file. */
export interface Release {
  readonly version: string
  /** The installer's file name, e.g. `Convene-0.2.0.AppImage` or `Convene-Setup-0.2.0.exe`. */
  readonly fileName: string
  readonly body: Buffer
  /** Publish this sha512 instead of the file's real one (a corrupt or tampered upload). */
  readonly sha512?: string
}

export interface UpdateServer {
  /** `http://127.0.0.1:<port>/`: the generic provider's base URL. */
  readonly url: string
  /** Paths requested so far, in order; range requests (refused with 416) as `range <path>`. */
  readonly requests: string[]
  publish(release: Release): void
  /**
   * Hold downloads after their first half until `release()` is called, so a test can act while a download is
   * running. Resolves `started` when a held download has sent its first half.
   */
  holdDownloads(): { readonly started: Promise<void>; release(): void }
  close(): Promise<void>
}

export function sha512Base64(body: Buffer): string {
  return createHash('sha512').update(body).digest('base64')
}

/** The `latest*.yml` electron-builder writes next to the installer. */
export function releaseYml(release: Release): string {
  const sha512 = release.sha512 ?? sha512Base64(release.body)
  return [
    `version: ${release.version}`,
    'files:',
    `  - url: ${release.fileName}`,
    `    sha512: ${sha512}`,
    `    size: ${release.body.length}`,
    `path: ${release.fileName}`,
    `sha512: ${sha512}`,
    `releaseDate: '2026-01-01T00:00:00.000Z'`,
    '',
  ].join('\n')
}

/**
 * A local update host for electron-updater's generic provider: serves `latest.yml` (Windows), `latest-mac.yml`,
 * `latest-linux.yml` (and the arm64 variant) and the installer file, on 127.0.0.1 only.
 */
export async function startUpdateServer(): Promise<UpdateServer> {
  let current: Release | null = null
  let hold: { started: () => void; gate: Promise<void> } | null = null
  const requests: string[] = []

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname
    // Differential downloads start with range requests for the embedded block map. This host has no block maps,
    // like a host that cannot serve ranges: electron-updater then falls back to a full download.
    if (req.headers.range !== undefined) {
      requests.push(`range ${path}`)
      res.writeHead(416).end()
      return
    }
    requests.push(path)
    const release = current
    if (!release) {
      res.writeHead(404).end('no release')
      return
    }
    if (/^\/latest(-mac|-linux(-arm64)?)?\.yml$/.test(path)) {
      res.writeHead(200, { 'content-type': 'text/yaml' }).end(releaseYml(release))
      return
    }
    if (path === `/${release.fileName}`) {
      res.writeHead(200, {
        'content-type': 'application/octet-stream',
        'content-length': String(release.body.length),
      })
      const half = Math.floor(release.body.length / 2)
      const held = hold
      if (held) {
        hold = null
        res.write(release.body.subarray(0, half))
        held.started()
        await held.gate
        if (res.destroyed) return
      } else {
        res.write(release.body.subarray(0, half))
      }
      res.end(release.body.subarray(half))
      return
    }
    res.writeHead(404).end('not found')
  }

  const server: Server = createServer((req, res) => void handle(req, res))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}/`,
    requests,
    publish: (release) => void (current = release),
    holdDownloads: () => {
      let started!: () => void
      let release!: () => void
      const startedPromise = new Promise<void>((resolve) => (started = resolve))
      const gate = new Promise<void>((resolve) => (release = resolve))
      hold = { started, gate }
      return { started: startedPromise, release }
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
