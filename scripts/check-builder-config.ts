import { resolve } from 'node:path'
import { checkBuilderConfig, loadBuilderConfig } from './builderConfig'

// CI step: validate electron-builder.yml without building. Exit code 1 lists every problem.
const root = resolve(import.meta.dirname, '..')
const problems = await checkBuilderConfig(await loadBuilderConfig(root), root)
if (problems.length > 0) {
  console.error(`electron-builder.yml has ${problems.length} problem(s):\n- ${problems.join('\n- ')}`)
  process.exit(1)
}
console.log('electron-builder.yml is valid (electron-builder schema and Convene rules).')
