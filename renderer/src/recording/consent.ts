import type { ConveneApi } from '../../../shared/ipc/api'
import type { RoomRecordingState } from '../../../shared/recording/schemas'

/**
 * The room's recording consent as the UI needs it: the state every participant sees (indicator, notice), and
 * the host's switch. Injected into the components, so a room without main (tests, previews) can fake it.
 */
export interface RecordingConsent {
  state(room: string): Promise<RoomRecordingState>
  /** Calls `listener` with every change to `room`'s state. Returns a disposer. */
  subscribe(room: string, listener: (state: RoomRecordingState) => void): () => void
  setAllowOthers(room: string, allow: boolean): Promise<RoomRecordingState>
}

/** Consent through main (`recording:getRoomState`, `recording:roomState`, `recording:setAllowOthers`). */
export function apiConsent(
  api: Pick<ConveneApi['recording'], 'getRoomState' | 'onRoomState' | 'setAllowOthers'>,
): RecordingConsent {
  return {
    state: (room) => api.getRoomState({ room }),
    subscribe: (room, listener) =>
      api.onRoomState((state) => {
        if (state.room === room) listener(state)
      }),
    setAllowOthers: (room, allow) => api.setAllowOthers({ room, allow }),
  }
}
