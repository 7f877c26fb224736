import type { Platform } from '../../app/services'
import type { RecordingService } from '../../recording/RecordingService'
import type { Handlers } from '../router'

type RecordingChannels =
  | 'recording:start'
  | 'recording:pause'
  | 'recording:resume'
  | 'recording:stop'
  | 'recording:list'
  | 'recording:delete'
  | 'recording:reveal'
  | 'recording:getLinks'
  | 'recording:getRoomState'
  | 'recording:setAllowOthers'
  | 'recording:listSources'
  | 'recording:selectSource'

/** `recording:*`: thin adapters over the RecordingService; the service holds the rules. */
export function recordingHandlers(
  recordings: RecordingService,
  platform: Pick<Platform, 'captureSources'>,
): Pick<Handlers, RecordingChannels> {
  return {
    'recording:start': (request) => recordings.start(request),
    'recording:pause': ({ id }) => recordings.pause(id),
    'recording:resume': ({ id }) => recordings.resume(id),
    'recording:stop': async ({ id, reason }) => ({ entry: await recordings.stop(id, reason ?? 'user') }),
    'recording:list': async () => ({ folder: recordings.folder, entries: await recordings.library.list() }),
    'recording:delete': async ({ name }) => {
      await recordings.remove(name)
      return { deleted: true as const }
    },
    'recording:reveal': async ({ name }) => ({ revealed: await recordings.reveal(name) }),
    'recording:getLinks': ({ name }) => recordings.links(name),
    'recording:getRoomState': ({ room }) => recordings.roomState(room),
    'recording:setAllowOthers': ({ room, allow }) => recordings.setAllowOthers(room, allow),
    'recording:listSources': async () => {
      if (!platform.captureSources) return { supported: false, sources: [] }
      return { supported: true, sources: (await platform.captureSources()).slice(0, 100) }
    },
    'recording:selectSource': ({ id }) => ({ selected: recordings.selectSource(id) }),
  }
}
