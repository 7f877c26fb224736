import { z } from 'zod'

/** Names of the secrets the vault holds. The renderer knows the names, never the values. */
export const SecretName = z.enum(['callsAppSecret', 'turnApiToken', 'openaiApiKey', 'workerToken'])
export type SecretName = z.infer<typeof SecretName>

export const BackendKind = z.enum(['local', 'cloudflare', 'worker'])
export type BackendKind = z.infer<typeof BackendKind>

/** An ID from the Cloudflare dashboard, or empty to clear it. */
const hex32OrEmpty = z
  .string()
  .trim()
  .refine(
    (s) => s === '' || /^[0-9a-f]{32}$/i.test(s),
    'must be the 32-character hexadecimal ID shown in the Cloudflare dashboard',
  )

/** A URL for the Convene Worker: https, or http only for this machine (a local `wrangler dev`); empty clears it. */
export const WorkerUrl = z
  .string()
  .trim()
  .max(2048)
  .refine((raw) => {
    if (raw === '') return true
    try {
      const url = new URL(raw)
      if (url.username || url.password) return false
      if (url.protocol === 'https:') return true
      return url.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname)
    } catch {
      return false
    }
  }, 'must be an https:// address (http:// only for 127.0.0.1 or localhost), without a user name or password')

export const AI_DEFAULTS = {
  model: 'gpt-4o-mini',
  transcriptionModel: 'whisper-1',
  baseUrl: 'https://api.openai.com/v1',
} as const

/** A model id as OpenAI-compatible servers name them: `gpt-4o-mini`, `llama3.1:8b`, `org/model-7b`. */
const ModelName = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:/-]{0,99}$/, 'must be a model name such as gpt-4o-mini')

export const DisplayName = z
  .string()
  .trim()
  .min(1, 'Enter a name others will see')
  .max(64, 'Use at most 64 characters')
  // No control characters: names end up in tiles, toasts and file names.
  .refine((s) => !/\p{Cc}/u.test(s), 'must not contain control characters')

/** Non-secret settings as persisted (current schema version). Every field has a default. */
export const SettingsV1 = z.object({
  schemaVersion: z.literal(1),
  displayName: z.string().max(64).default(''),
  backend: BackendKind.default('local'),
  cloudflare: z
    .object({ appId: z.string().max(64).default(''), turnKeyId: z.string().max(64).default('') })
    .default({ appId: '', turnKeyId: '' }),
  worker: z.object({ url: z.string().max(2048).default('') }).default({ url: '' }),
  /** The user agreed to keep secrets although the OS offers no real secret store (Linux `basic_text`). */
  insecureStorageAccepted: z.boolean().default(false),
  /** AI assistant (issue 9). Added without a version bump: files from before it load with these defaults. */
  ai: z
    .object({
      model: z.string().max(100).default(AI_DEFAULTS.model),
      transcriptionModel: z.string().max(100).default(AI_DEFAULTS.transcriptionModel),
      /** An OpenAI-compatible server's base URL; empty means OpenAI itself. */
      baseUrl: z.string().max(2048).default(''),
    })
    .default({ model: AI_DEFAULTS.model, transcriptionModel: AI_DEFAULTS.transcriptionModel, baseUrl: '' }),
})
export type SettingsV1 = z.infer<typeof SettingsV1>

/** A change the user asks for. Each field is validated with a message that says how to fix it. */
export const SettingsPatch = z
  .object({
    displayName: DisplayName.optional(),
    backend: BackendKind.optional(),
    cloudflare: z
      .object({ appId: hex32OrEmpty.optional(), turnKeyId: hex32OrEmpty.optional() })
      .strict()
      .optional(),
    worker: z.object({ url: WorkerUrl.optional() }).strict().optional(),
    ai: z
      .object({
        model: ModelName.optional(),
        transcriptionModel: ModelName.optional(),
        // The API key goes wherever this points, so the same rule as the Worker URL: https, or http only to this
        // machine (a local OpenAI-compatible server), never with credentials in the URL.
        baseUrl: WorkerUrl.optional(),
      })
      .strict()
      .optional(),
  })
  .strict()
export type SettingsPatch = z.infer<typeof SettingsPatch>

/**
 * Format rules per secret, so a paste with a stray space or the wrong field is caught on save. Cloudflare's app
 * secrets and TURN tokens are long hex or base64url strings; OpenAI keys start with `sk-`, but OpenAI-compatible
 * servers accept anything, so only length and whitespace are checked for them.
 */
export const secretRules: Record<SecretName, z.ZodType<string>> = {
  callsAppSecret: z
    .string()
    .regex(
      /^[A-Za-z0-9_-]{32,256}$/,
      'must be the app secret (32 to 256 letters, digits, - or _) from the Calls app',
    ),
  turnApiToken: z
    .string()
    .regex(/^[A-Za-z0-9_-]{32,256}$/, 'must be the TURN key API token (32 to 256 letters, digits, - or _)'),
  openaiApiKey: z
    .string()
    .min(8, 'is too short to be an API key')
    .max(512)
    .regex(/^\S+$/, 'must not contain spaces or line breaks'),
  workerToken: z
    .string()
    .min(16, 'is too short: paste the whole token from your Convene server')
    .max(4096)
    .regex(/^\S+$/, 'must not contain spaces or line breaks'),
}

export const SecretStatus = z.object({
  configured: z.boolean(),
  /** The last four characters, so users can tell which key they stored; empty when not configured. */
  hint: z.string().max(4),
})
export type SecretStatus = z.infer<typeof SecretStatus>

export const StorageBackend = z.enum(['os', 'basic_text', 'keyfile', 'unavailable'])
export type StorageBackend = z.infer<typeof StorageBackend>

export const StorageInfo = z.object({
  backend: StorageBackend,
  /** False when secrets would be readable by anyone who can read the file (Linux without a keyring). */
  secure: z.boolean(),
  detail: z.string().max(500),
})
export type StorageInfo = z.infer<typeof StorageInfo>

export const Notice = z.object({
  id: z.string().max(100),
  level: z.enum(['info', 'warning', 'error']),
  message: z.string().max(1000),
})
export type Notice = z.infer<typeof Notice>

/** Everything the renderer may know about settings: no secret values, only their status. */
export const SettingsView = z.object({
  displayName: z.string(),
  backend: BackendKind,
  cloudflare: z.object({ appId: z.string(), turnKeyId: z.string() }),
  worker: z.object({ url: z.string() }),
  ai: z.object({ model: z.string(), transcriptionModel: z.string(), baseUrl: z.string() }),
  secrets: z.record(SecretName, SecretStatus),
  storage: StorageInfo,
  insecureStorageAccepted: z.boolean(),
  notices: z.array(Notice),
})
export type SettingsView = z.infer<typeof SettingsView>
