import type { StorageInfo } from '../../shared/settings/schema'
import type { SecretCipher } from '../../electron/main/vault/cipher'

/**
 * A reversible stand-in for safeStorage that reports any backend, so the vault's policy for each can be tested.
 * It really transforms the text (base64 of the reversed string), so a test can tell ciphertext from plaintext.
 */
export class FakeCipher implements SecretCipher {
  failDecrypt = false
  constructor(public storage: StorageInfo = { backend: 'os', secure: true, detail: 'test keychain' }) {}
  async info(): Promise<StorageInfo> {
    return this.storage
  }
  async encrypt(plain: string): Promise<string> {
    return Buffer.from([...plain].reverse().join('')).toString('base64')
  }
  async decrypt(ciphertext: string): Promise<string> {
    if (this.failDecrypt) throw new Error('keyring changed')
    return [...Buffer.from(ciphertext, 'base64').toString()].reverse().join('')
  }
}
