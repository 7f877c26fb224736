import { useEffect, useState } from 'react'
import type { RoomRecordingState } from '../../../../shared/recording/schemas'
import type { RecordingConsent } from '../../recording/consent'

/** The room's recording flag and policy, as every participant sees it; null until known. */
export function useRoomRecordingState(consent: RecordingConsent, room: string): RoomRecordingState | null {
  const [state, setState] = useState<RoomRecordingState | null>(null)
  useEffect(() => {
    let live = true
    const off = consent.subscribe(room, (next) => setState(next))
    consent
      .state(room)
      .then((initial) => {
        if (live) setState((current) => current ?? initial)
      })
      .catch(() => undefined)
    return () => {
      live = false
      off()
    }
  }, [consent, room])
  return state
}
