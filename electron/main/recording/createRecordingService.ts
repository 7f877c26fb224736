import { dirname, join } from 'node:path'
import type { Logger } from '../../../shared/log/logger'
import { RoomSignal } from '../../../shared/room/ipc'
import type { Platform } from '../app/services'
import type { EventHub } from '../ipc/events'
import type { RoomService } from '../room/RoomService'
import { LocalRecordingGate, type RecordingGate } from './RecordingGate'
import { RecordingService } from './RecordingService'
import { RoomRecordingGate, type RecordingRoomPort } from './RoomRecordingGate'

/**
 * Wire the recording service to the platform and the event hub. With `rooms`, consent follows the joined room
 * (`RoomRecordingGate`, the local rule outside any room); `gate` overrides both (tests).
 */
export function createRecordingService(options: {
  platform: Platform
  log: Logger
  events: EventHub
  displayName: () => string
  rooms?: Pick<RoomService, 'state' | 'setActivity' | 'hostAction'>
  gate?: RecordingGate
}): RecordingService {
  const { platform, events } = options
  const gate =
    options.gate ??
    (options.rooms
      ? new RoomRecordingGate(recordingRoomPort(options.rooms, events), options.log.child('gate'))
      : new LocalRecordingGate())
  gate.subscribe((state) => events.emit('recording:roomState', state))
  return new RecordingService({
    folder: platform.recordingsDir ?? join(dirname(platform.pathOf('settings')), 'recordings'),
    log: options.log,
    gate,
    displayName: options.displayName,
    onStatus: (status) => events.emit('recording:status', status),
    onListChanged: () => events.emit('recording:listChanged', {}),
    ...(platform.revealInFolder ? { revealInFolder: platform.revealInFolder } : {}),
  })
}

/**
 * The room service as the recording gate sees it. Changes and orders are read from the events the room service
 * already sends the renderer (`room:status`, `room:view`, `room:delta`, `room:signal`), so the gate sees exactly
 * what every window sees, in the same order.
 */
export function recordingRoomPort(
  rooms: Pick<RoomService, 'state' | 'setActivity' | 'hostAction'>,
  events: EventHub,
): RecordingRoomPort {
  return {
    state: () => rooms.state(),
    setActivity: (activity) => rooms.setActivity(activity),
    hostAction: (action) => rooms.hostAction(action),
    onChange: (listener) =>
      events.attach((channel) => {
        if (channel === 'room:status' || channel === 'room:view' || channel === 'room:delta') listener()
      }),
    onOrder: (listener) =>
      events.attach((channel, payload) => {
        if (channel !== 'room:signal') return
        const signal = RoomSignal.safeParse(payload)
        if (signal.success && signal.data.kind === 'order') listener(signal.data.order)
      }),
  }
}
