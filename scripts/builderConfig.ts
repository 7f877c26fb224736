import { existsSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'

/*
 * Validate electron-builder.yml without building: electron-builder's own loader and JSON-schema validation
 * (app-builder-lib's scheme.json, the check `electron-builder` runs first), then the rules Convene depends on
 * (deep-link scheme, update feed and signature checks, macOS privacy keys and entitlements, fuses, icons).
 */

const require = createRequire(import.meta.url)

export type BuilderConfig = Record<string, unknown>

interface ConfigModule {
  getConfig(projectDir: string, configPath: string | null, configFromOptions: unknown): Promise<BuilderConfig>
  validateConfiguration(config: BuilderConfig, debugLogger: unknown): Promise<void>
}

function configModule(): ConfigModule {
  return require('app-builder-lib/out/util/config/config.js') as ConfigModule
}

function debugLogger(): unknown {
  const { DebugLogger } = require('builder-util/out/DebugLogger.js') as {
    DebugLogger: new (on: boolean) => unknown
  }
  return new DebugLogger(false)
}

/** The configuration as electron-builder sees it (electron-builder.yml, merged with any `build` key). */
export async function loadBuilderConfig(root: string): Promise<BuilderConfig> {
  return configModule().getConfig(root, null, null)
}

const obj = (value: unknown): Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {}
const list = (value: unknown): unknown[] =>
  Array.isArray(value) ? value : value === undefined ? [] : [value]
const targetNames = (platform: unknown): string[] =>
  list(obj(platform)['target']).map((t) =>
    (typeof t === 'string' ? t : String(obj(t)['target'])).toLowerCase(),
  )

function pngSize(path: string): { width: number; height: number } | null {
  if (!existsSync(path)) return null
  const png = readFileSync(path)
  if (png.length < 24 || png.toString('ascii', 1, 4) !== 'PNG') return null
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) }
}

const REQUIRED_FUSES: Record<string, boolean> = {
  runAsNode: false,
  enableCookieEncryption: true,
  enableNodeOptionsEnvironmentVariable: false,
  enableNodeCliInspectArguments: false,
  enableEmbeddedAsarIntegrityValidation: true,
  onlyLoadAppFromAsar: true,
  grantFileProtocolExtraPrivileges: false,
}

/** Convene's own packaging rules. Each problem says what is wrong and why it matters. */
export function conveneRules(config: BuilderConfig, root: string): string[] {
  const problems: string[] = []
  const mac = obj(config['mac'])
  const win = obj(config['win'])
  const nsis = obj(config['nsis'])
  const linux = obj(config['linux'])
  const resources = String(obj(config['directories'])['buildResources'] ?? 'build')

  const schemes = list(config['protocols']).flatMap((p) => list(obj(p)['schemes']))
  if (!schemes.includes('convene'))
    problems.push('protocols: the convene:// scheme must be registered (deep links)')

  if (config['asar'] !== true)
    problems.push('asar must be true (asar integrity and the onlyLoadAppFromAsar fuse)')
  const fuses = obj(config['electronFuses'])
  for (const [fuse, value] of Object.entries(REQUIRED_FUSES)) {
    if (fuses[fuse] !== value) problems.push(`electronFuses.${fuse} must be ${value}`)
  }

  const publish = list(config['publish']).map(obj)
  const feed = publish.find((p) => p['provider'] === 'generic')
  if (!feed) problems.push('publish: a generic provider is the update feed electron-updater reads')
  else if (!/^https:\/\//.test(String(feed['url'] ?? '')))
    problems.push('publish.url must be https (Linux updates trust only it and sha512)')

  const macTargets = targetNames(mac)
  for (const t of ['dmg', 'zip'])
    if (!macTargets.includes(t)) problems.push(`mac.target needs ${t} (zip is what auto-update installs)`)
  if (mac['hardenedRuntime'] === false) problems.push('mac.hardenedRuntime must stay on (notarization)')
  const info = obj(mac['extendInfo'])
  for (const key of [
    'NSCameraUsageDescription',
    'NSMicrophoneUsageDescription',
    'NSAudioCaptureUsageDescription',
  ]) {
    if (typeof info[key] !== 'string' || String(info[key]).trim() === '')
      problems.push(`mac.extendInfo.${key} is missing`)
  }
  for (const field of ['entitlements', 'entitlementsInherit']) {
    const file = mac[field]
    if (typeof file !== 'string' || !existsSync(join(root, file))) {
      problems.push(`mac.${field} must name an existing plist`)
      continue
    }
    const plist = readFileSync(join(root, file), 'utf8')
    for (const key of [
      'com.apple.security.cs.allow-jit',
      'com.apple.security.device.camera',
      'com.apple.security.device.audio-input',
    ]) {
      if (!new RegExp(`<key>${key.replace(/\./g, '\\.')}</key>\\s*<true/>`).test(plist)) {
        problems.push(`${file} must grant ${key}`)
      }
    }
  }

  if (!targetNames(win).includes('nsis')) problems.push('win.target needs nsis')
  if (nsis['perMachine'] === true)
    problems.push('nsis.perMachine must be false (per-user install, silent updates)')
  const publishers = list(obj(win['signtoolOptions'])['publisherName']).filter(
    (n) => typeof n === 'string' && n !== '',
  )
  if (publishers.length === 0) {
    problems.push(
      'win.signtoolOptions.publisherName is required: without it electron-updater skips the signature check',
    )
  }
  if (win['verifyUpdateCodeSignature'] === false)
    problems.push('win.verifyUpdateCodeSignature must not be false')

  const linuxTargets = targetNames(linux)
  for (const t of ['appimage', 'deb']) if (!linuxTargets.includes(t)) problems.push(`linux.target needs ${t}`)

  const icon = pngSize(join(root, resources, 'icon.png'))
  if (!icon || icon.width < 512 || icon.height < 512)
    problems.push(`${resources}/icon.png must be a PNG of at least 512x512`)
  return problems
}

/** All problems with a configuration: electron-builder's schema first, then Convene's rules. */
export async function checkBuilderConfig(config: BuilderConfig, root: string): Promise<string[]> {
  const problems: string[] = []
  try {
    await configModule().validateConfiguration(config, debugLogger())
  } catch (error) {
    // The message lists each invalid option, then generic "How to fix" advice that we leave out.
    const text = error instanceof Error ? error.message : String(error)
    const detail = text
      .split(/\n\s*How to fix:/)[0]!
      .replace(/\s+/g, ' ')
      .trim()
    problems.push(`electron-builder schema: ${detail}`)
  }
  return [...problems, ...conveneRules(config, root)]
}
