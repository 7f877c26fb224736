import type { StorageInfo } from '../../../shared/settings/schema'

/**
 * Encrypts secrets at rest. In the app: Electron's safeStorage (Keychain, DPAPI, libsecret/kwallet). In web mode:
 * AES-256-GCM with a key file readable only by the user. Ciphertexts are base64 strings.
 */
export interface SecretCipher {
  info(): Promise<StorageInfo>
  encrypt(plain: string): Promise<string>
  decrypt(ciphertext: string): Promise<string>
}
