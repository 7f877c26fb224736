import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto'
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import type { StorageInfo } from '../../../shared/settings/schema'
import type { SecretCipher } from '../../../electron/main/vault/cipher'

const VERSION = 'v1'

/**
 * The web-mode stand-in for safeStorage: AES-256-GCM with a random key kept in a file only the user can read
 * (0600). Ciphertext layout: `v1.<iv>.<tag>.<data>`, each part base64. Protects against other local users, like
 * DPAPI does; not against programs running as the same user.
 */
export class KeyFileCipher implements SecretCipher {
  private readonly key: Buffer

  constructor(private readonly keyPath: string) {
    this.key = KeyFileCipher.loadOrCreate(keyPath)
  }

  private static loadOrCreate(path: string): Buffer {
    if (existsSync(path)) {
      const key = Buffer.from(readFileSync(path, 'utf8').trim(), 'base64')
      if (key.length !== 32) throw new Error(`The key file ${path} is damaged (expected 32 bytes).`)
      // Tighten permissions a user or a backup tool may have loosened.
      if ((statSync(path).mode & 0o077) !== 0) chmodSync(path, 0o600)
      return key
    }
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 })
    const key = randomBytes(32)
    writeFileSync(path, key.toString('base64'), { mode: 0o600, flag: 'wx' })
    return key
  }

  async info(): Promise<StorageInfo> {
    return {
      backend: 'keyfile',
      secure: true,
      detail: 'Secrets are encrypted with a key file that only your user account can read.',
    }
  }

  async encrypt(plain: string): Promise<string> {
    const iv = randomBytes(12)
    const cipher = createCipheriv('aes-256-gcm', this.key, iv)
    const data = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()])
    return [VERSION, iv, cipher.getAuthTag(), data]
      .map((p) => (typeof p === 'string' ? p : p.toString('base64')))
      .join('.')
  }

  async decrypt(ciphertext: string): Promise<string> {
    const [version, iv, tag, data] = ciphertext.split('.')
    if (version !== VERSION || !iv || !tag || data === undefined) throw new Error('unknown ciphertext format')
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64'))
    decipher.setAuthTag(Buffer.from(tag, 'base64'))
    return Buffer.concat([decipher.update(Buffer.from(data, 'base64')), decipher.final()]).toString('utf8')
  }
}
