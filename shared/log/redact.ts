const SECRET_KEY = /secret|token|password|passwd|api[-_]?key|authorization|cookie|credential/i
const REDACTED = '[redacted]'

/**
 * Removes secrets from log text and structured data. Two layers: values registered with `add()` (the vault
 * registers every secret it stores or loads) are replaced wherever they appear, and fields whose names look like
 * credentials are masked even when their value was never registered. Bearer tokens in header-like strings are
 * masked too.
 */
export class Redactor {
  private readonly secrets = new Set<string>()

  add(secret: string): void {
    // Very short values would redact ordinary words; the vault's own rules keep secrets far longer.
    if (secret.length >= 6) this.secrets.add(secret)
  }

  remove(secret: string): void {
    this.secrets.delete(secret)
  }

  text(input: string): string {
    let out = input
    for (const secret of this.secrets) {
      if (out.includes(secret)) out = out.split(secret).join(REDACTED)
    }
    return out.replace(/(bearer\s+)[A-Za-z0-9._~+/=-]{6,}/gi, `$1${REDACTED}`)
  }

  data(value: unknown, depth = 0): unknown {
    if (depth > 6) return '[deep]'
    if (typeof value === 'string') return this.text(value)
    if (Array.isArray(value)) return value.slice(0, 50).map((v) => this.data(v, depth + 1))
    if (value instanceof Error) return { name: value.name, message: this.text(value.message) }
    if (value !== null && typeof value === 'object') {
      const out: Record<string, unknown> = {}
      for (const [key, v] of Object.entries(value)) {
        out[key] =
          SECRET_KEY.test(key) && v !== undefined && v !== null && v !== ''
            ? REDACTED
            : this.data(v, depth + 1)
      }
      return out
    }
    return value
  }
}
