import type { Handlers } from '../router'
import type { HandlerServices } from './index'

type RoomChannels =
  | 'room:join'
  | 'room:leave'
  | 'room:getState'
  | 'room:sendChat'
  | 'room:hostAction'
  | 'room:setHand'
  | 'room:setActivity'
  | 'room:react'
  | 'room:publishTracks'

/** Rooms (issue 6): each channel is one call on the RoomService; events flow from it on their own. */
export function roomHandlers(services: HandlerServices): Pick<Handlers, RoomChannels> {
  const rooms = services.rooms.service
  return {
    'room:join': (request) => rooms.join(request),
    'room:leave': async () => ({ left: await rooms.leave() }),
    'room:getState': () => rooms.state(),
    'room:sendChat': ({ text, to }) => ({ id: rooms.sendChat(text, to) }),
    'room:hostAction': async ({ action }) => (await rooms.hostAction(action), {}),
    'room:setHand': async ({ raised }) => (await rooms.setHand(raised), {}),
    'room:setActivity': async ({ activity }) => (await rooms.setActivity(activity), {}),
    'room:react': async ({ emoji }) => (await rooms.react(emoji), {}),
    'room:publishTracks': async ({ directory }) => (await rooms.publishTracks(directory), {}),
  }
}
