import { safeStorage } from 'electron'
import type { StorageInfo } from '../../../shared/settings/schema'
import type { SecretCipher } from '../vault/cipher'

/** safeStorage's async API (the sync one is deprecated and cannot rotate keys). */
export class SafeStorageCipher implements SecretCipher {
  async info(): Promise<StorageInfo> {
    if (!(await safeStorage.isAsyncEncryptionAvailable())) {
      return {
        backend: 'unavailable',
        secure: false,
        detail:
          'The operating system did not provide an encryption key. On Linux, install and unlock a keyring.',
      }
    }
    if (process.platform === 'linux' && safeStorage.getSelectedStorageBackend() === 'basic_text') {
      return {
        backend: 'basic_text',
        secure: false,
        detail:
          'No system keyring (GNOME Keyring, KWallet) was found. Secrets can only be stored with weak protection; Convene will ask before it does.',
      }
    }
    return {
      backend: 'os',
      secure: true,
      detail: 'Secrets are encrypted with your operating system’s keychain.',
    }
  }

  async encrypt(plain: string): Promise<string> {
    return (await safeStorage.encryptStringAsync(plain)).toString('base64')
  }

  async decrypt(ciphertext: string): Promise<string> {
    return (await safeStorage.decryptStringAsync(Buffer.from(ciphertext, 'base64'))).result
  }
}
