import { AppError, missingCaseError } from '../../../shared/errors/AppError'
import type { FailureStage, RefusalReason, UpdateFailure } from './updatePolicy'

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'ERR_NETWORK_CHANGED',
])

function codeOf(error: unknown): string | null {
  if (typeof error !== 'object' || error === null) return null
  const code = (error as { code?: unknown }).code
  if (typeof code === 'string' && code.length <= 64) return code
  const status = (error as { statusCode?: unknown }).statusCode
  return typeof status === 'number' ? `HTTP_${status}` : null
}

/**
 * Turn whatever electron-updater threw into a failure the user can act on. The raw message (which may hold paths
 * and URLs) goes to the log only, never into the status.
 */
export function describeUpdateFailure(stage: FailureStage, error: unknown): UpdateFailure {
  const code = codeOf(error)
  const later = 'Convene will try again later.'
  let message: string
  if (code === 'ERR_CHECKSUM_MISMATCH' || code === 'ERR_UPDATER_INVALID_SIGNATURE') {
    message =
      code === 'ERR_CHECKSUM_MISMATCH'
        ? `The downloaded update was damaged (its sha512 checksum did not match), so it was deleted and will not be installed. ${later}`
        : `The downloaded update is not signed by Convene's publisher, so it was deleted and will not be installed. ${later}`
  } else if (code !== null && (NETWORK_CODES.has(code) || code.startsWith('HTTP_5'))) {
    message = `Convene could not reach the update server. Check your connection; ${later.toLowerCase()}`
  } else if (code === 'HTTP_404' || code === 'ERR_UPDATER_CHANNEL_FILE_NOT_FOUND') {
    message = `The update server has no update information for this system. ${later}`
  } else if (code === 'ERR_UPDATER_INVALID_UPDATE_INFO' || code === 'ERR_UPDATER_INVALID_VERSION') {
    message = `The update server sent update information Convene could not read. ${later}`
  } else if (stage === 'install') {
    message = `The update could not be installed. ${later} If it keeps failing, download Convene again from its website.`
  } else {
    message = `${stage === 'check' ? 'Checking for' : 'Downloading the'} update failed. ${later}`
  }
  return { stage, code, message }
}

/** The error a refused user request becomes at the IPC boundary. */
export function refusalError(reason: RefusalReason): AppError {
  switch (reason) {
    case 'unsupported':
      return new AppError({
        code: 'forbidden',
        message:
          'This copy of Convene cannot update itself (a development build, web mode or a package your system manages). Install updates the way you installed Convene.',
        retryable: false,
      })
    case 'inMeeting':
      return new AppError({
        code: 'forbidden',
        message:
          'Convene will not restart in the middle of a meeting. Leave the meeting first; otherwise the update installs when you quit.',
        retryable: true,
      })
    case 'notDownloaded':
      return new AppError({
        code: 'forbidden',
        message: 'There is no downloaded update to install yet. Check for updates first.',
        retryable: true,
      })
    default:
      throw missingCaseError(reason)
  }
}
