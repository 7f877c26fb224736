/**
 * Links we hand to the operating system. Only https, with a host, without credentials: chat links are untrusted
 * input, and `file:`, `smb:`, custom schemes or `javascript:` could run or leak something.
 */
export function isSafeExternalUrl(raw: string): boolean {
  if (raw.length > 4096) return false
  try {
    const url = new URL(raw)
    return url.protocol === 'https:' && url.hostname.length > 0 && !url.username && !url.password
  } catch {
    return false
  }
}
