import { z } from 'zod'
import { Notice, SecretName, SettingsPatch, SettingsView } from '../settings/schema'

/**
 * The IPC contract: every channel between the renderer and main, declared once.
 *
 * - `invoke` channels: the renderer calls, main answers with a `Result` of `response`.
 * - `event` channels: main pushes `payload` to the renderer.
 *
 * Channel names are `namespace:method`; the preload exposes each as `window.convene.namespace.method` (events as
 * `window.convene.namespace.onMethod(cb)`). Adding a capability is one entry here plus one handler in main.
 */
export interface InvokeChannel<Req extends z.ZodType = z.ZodType, Res extends z.ZodType = z.ZodType> {
  readonly kind: 'invoke'
  readonly request: Req
  readonly response: Res
  /** Upper bound for the caller's wait, in milliseconds. */
  readonly timeoutMs: number
}

export interface EventChannel<P extends z.ZodType = z.ZodType> {
  readonly kind: 'event'
  readonly payload: P
}

function invoke<Req extends z.ZodType, Res extends z.ZodType>(
  request: Req,
  response: Res,
  timeoutMs = 10_000,
): InvokeChannel<Req, Res> {
  return { kind: 'invoke', request, response, timeoutMs }
}

function event<P extends z.ZodType>(payload: P): EventChannel<P> {
  return { kind: 'event', payload }
}

const Empty = z.object({}).strict()

export const AppInfo = z.object({
  name: z.string(),
  version: z.string(),
  platform: z.string(),
  /** `electron` in the desktop app, `web` in a browser served by the web-mode host. */
  shell: z.enum(['electron', 'web']),
})
export type AppInfo = z.infer<typeof AppInfo>

export const LogEntry = z.object({
  time: z.number(),
  level: z.enum(['debug', 'info', 'warn', 'error']),
  scope: z.string(),
  message: z.string(),
  data: z.record(z.string(), z.unknown()).optional(),
})
export type LogEntry = z.infer<typeof LogEntry>

export const contract = {
  'app:getInfo': invoke(Empty, AppInfo),

  'settings:get': invoke(Empty, SettingsView),
  'settings:update': invoke(z.object({ patch: SettingsPatch }).strict(), SettingsView),
  'settings:dismissNotice': invoke(z.object({ id: Notice.shape.id }).strict(), SettingsView),
  'settings:changed': event(SettingsView),

  /**
   * Store a secret in the vault. The value travels renderer → main once and never back. When the OS has no
   * secret store, the call fails with `insecure_storage` unless `acceptInsecureStorage` is true.
   */
  'vault:setSecret': invoke(
    z
      .object({
        name: SecretName,
        value: z.string().trim().min(1).max(4096),
        acceptInsecureStorage: z.boolean().optional(),
      })
      .strict(),
    SettingsView,
  ),
  'vault:clearSecret': invoke(z.object({ name: SecretName }).strict(), SettingsView),

  /** Open an https link in the system browser (chat links, help pages). Other schemes are refused. */
  'shell:openExternal': invoke(
    z.object({ url: z.string().max(4096) }).strict(),
    z.object({ opened: z.boolean() }),
  ),

  /** Recent log lines, secrets already redacted, for the diagnostics view. */
  'diagnostics:getLog': invoke(
    z.object({ limit: z.number().int().min(1).max(5000) }).strict(),
    z.object({ entries: z.array(LogEntry) }),
  ),
} as const

export type Contract = typeof contract
export type ChannelName = keyof Contract
export type InvokeName = { [K in ChannelName]: Contract[K] extends InvokeChannel ? K : never }[ChannelName]
export type EventName = { [K in ChannelName]: Contract[K] extends EventChannel ? K : never }[ChannelName]

export type RequestOf<K extends InvokeName> = z.input<Contract[K]['request']>
export type ParsedRequestOf<K extends InvokeName> = z.output<Contract[K]['request']>
export type ResponseOf<K extends InvokeName> = z.output<Contract[K]['response']>
export type PayloadOf<K extends EventName> = z.output<Contract[K]['payload']>

export const invokeNames = Object.keys(contract).filter(
  (k): k is InvokeName => contract[k as ChannelName].kind === 'invoke',
)
export const eventNames = Object.keys(contract).filter(
  (k): k is EventName => contract[k as ChannelName].kind === 'event',
)

export function isChannelName(name: unknown): name is ChannelName {
  return typeof name === 'string' && Object.hasOwn(contract, name)
}

/** `settings:update` → `['settings', 'update']`; events get an `on` prefix: `settings:changed` → `onChanged`. */
export function apiPath(name: ChannelName): readonly [string, string] {
  const [ns, method] = name.split(':') as [string, string]
  return contract[name].kind === 'event'
    ? [ns, `on${method[0]!.toUpperCase()}${method.slice(1)}`]
    : [ns, method]
}
