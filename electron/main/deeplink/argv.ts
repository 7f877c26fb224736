import { DEEP_LINK_SCHEME, looksLikeLink } from '../../../shared/desktop/deepLink'

/**
 * The link in a command line, if any: what Windows and Linux pass when the OS opens `convene://…` (first launch
 * and `second-instance`). Skips the executable, the app path of a development run and Chromium's `--switches`;
 * when several links are present the last one wins (the OS appends the link it opens).
 */
export function linkFromArgv(argv: readonly string[]): string | null {
  let found: string | null = null
  for (const arg of argv.slice(1)) {
    if (typeof arg === 'string' && !arg.startsWith('-') && looksLikeLink(arg)) found = arg.trim()
  }
  return found
}

export interface ProtocolRegistration {
  readonly scheme: string
  /** Only for development runs, where the OS must start `electron <app path>`. */
  readonly path?: string
  readonly args?: readonly string[]
}

/**
 * How to register `convene://` with the OS at runtime. Installers register it too (electron-builder `protocols`:
 * Info.plist on macOS, the registry on Windows, the .desktop file's MimeType on Linux); doing it at runtime repairs a
 * registration another app took over. Development runs register only when asked (`CONVENE_REGISTER_PROTOCOL=1`),
 * so a checkout never takes the scheme from an installed Convene by accident.
 */
export function protocolRegistration(options: {
  readonly isPackaged: boolean
  readonly defaultApp: boolean
  readonly execPath: string
  /** `process.argv[1]` in a development run: the app path Electron was started with, made absolute. */
  readonly appPath: string | undefined
  readonly env: Readonly<Record<string, string | undefined>>
}): ProtocolRegistration | null {
  if (options.isPackaged) return { scheme: DEEP_LINK_SCHEME }
  if (options.env['CONVENE_REGISTER_PROTOCOL'] !== '1') return null
  if (options.defaultApp && options.appPath) {
    return { scheme: DEEP_LINK_SCHEME, path: options.execPath, args: [options.appPath] }
  }
  return { scheme: DEEP_LINK_SCHEME }
}
