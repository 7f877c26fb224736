import type { PowerAction } from '../../../shared/desktop/schemas'
import { missingCaseError } from '../../../shared/errors/AppError'
import type { PowerSignal } from './types'

/**
 * What a meeting does when the OS changes state. Before sleep or shutdown the call leaves cleanly (the others see
 * a goodbye instead of a frozen tile until a timeout); when the screen locks, camera and microphone go off so
 * nothing is captured from an unattended desk. Waking and unlocking do nothing: rejoining and unmuting are the
 * user's choice.
 */
export function powerAction(signal: PowerSignal, inMeeting: boolean): PowerAction | null {
  if (!inMeeting) return null
  switch (signal) {
    case 'suspend':
    case 'shutdown':
      return { action: 'leave', reason: signal }
    case 'lock-screen':
      return { action: 'mute', reason: 'lock-screen' }
    case 'resume':
    case 'unlock-screen':
      return null
    default:
      throw missingCaseError(signal)
  }
}
