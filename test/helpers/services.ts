import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createServices, type Platform, type Services } from '../../electron/main/app/services'
import type { LogEntry } from '../../shared/ipc/contract'
import { nodePlatform } from '../../server/web/platform/nodePlatform'

export function tempDir(prefix = 'convene-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix))
}

/** Real services (conf files, key-file cipher) in a temp dir, with every log entry captured. */
export async function makeServices(
  dataDir = tempDir(),
  override: Partial<Platform> = {},
): Promise<{ services: Services; dataDir: string; logs: LogEntry[] }> {
  const logs: LogEntry[] = []
  const base = nodePlatform({ dataDir, version: '0.0.0-test', logSinks: [(e) => logs.push(e)] })
  const services = await createServices({ ...base, ...override })
  return { services, dataDir, logs }
}
