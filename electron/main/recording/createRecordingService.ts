import { dirname, join } from 'node:path'
import type { Logger } from '../../../shared/log/logger'
import type { Platform } from '../app/services'
import type { EventHub } from '../ipc/events'
import { LocalRecordingGate, type RecordingGate } from './RecordingGate'
import { RecordingService } from './RecordingService'

/**
 * Wire the recording service to the platform and the event hub. `gate` defaults to the local stand-in; the
 * room connection passes its own once the room protocol carries the recording flag.
 */
export function createRecordingService(options: {
  platform: Platform
  log: Logger
  events: EventHub
  displayName: () => string
  gate?: RecordingGate
}): RecordingService {
  const { platform, events } = options
  const gate = options.gate ?? new LocalRecordingGate()
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
