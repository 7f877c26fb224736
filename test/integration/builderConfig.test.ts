import { resolve } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { checkBuilderConfig, loadBuilderConfig, type BuilderConfig } from '../../scripts/builderConfig'

// electron-builder.yml, validated as `electron-builder` would before building (its schema) plus Convene's rules.
const root = resolve(import.meta.dirname, '../..')
let config: BuilderConfig

beforeAll(async () => {
  config = await loadBuilderConfig(root)
})

/** A copy of the config with `path` (dotted) set to `value`, or deleted when `value` is undefined. */
function variant(changes: Record<string, unknown>): BuilderConfig {
  const copy = structuredClone(config)
  for (const [path, value] of Object.entries(changes)) {
    const keys = path.split('.')
    const last = keys.pop()!
    let node = copy as Record<string, unknown>
    for (const key of keys) node = node[key] as Record<string, unknown>
    if (value === undefined) delete node[last]
    else node[last] = value
  }
  return copy
}

describe('electron-builder.yml', () => {
  it('passes electron-builder schema validation and Convene packaging rules', async () => {
    expect(await checkBuilderConfig(config, root)).toEqual([])
  })

  it('catches a misspelt option through electron-builder’s own schema', async () => {
    const problems = await checkBuilderConfig(variant({ 'mac.hardendRuntime': true }), root)
    expect(problems.join('\n')).toMatch(
      /electron-builder schema: Invalid configuration object.*configuration\.mac/,
    )
  })

  it('catches the changes that would quietly break desktop features', async () => {
    const problems = await checkBuilderConfig(
      variant({
        protocols: [],
        'win.signtoolOptions': undefined,
        'mac.target': [{ target: 'dmg', arch: ['universal'] }],
        'mac.extendInfo.NSAudioCaptureUsageDescription': undefined,
        'mac.entitlements': 'resources/missing.plist',
        'electronFuses.runAsNode': true,
        'nsis.perMachine': true,
        publish: { provider: 'generic', url: 'http://updates.example' },
        'linux.target': ['AppImage'],
      }),
      root,
    )
    for (const expected of [
      /convene:\/\/ scheme/,
      /publisherName is required/,
      /mac.target needs zip/,
      /NSAudioCaptureUsageDescription/,
      /mac.entitlements must name an existing plist/,
      /runAsNode must be false/,
      /perMachine must be false/,
      /publish.url must be https/,
      /linux.target needs deb/,
    ]) {
      expect(problems.join('\n')).toMatch(expected)
    }
  })
})
