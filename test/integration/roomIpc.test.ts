import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startRoomHub, type RoomHub } from '../../server/hub/RoomHub'
import type { Services } from '../../electron/main/app/services'
import type { EventName } from '../../shared/ipc/contract'
import { createLogger } from '../../shared/log/logger'
import { Redactor } from '../../shared/log/redact'
import { RoomView } from '../../shared/room/protocol'
import { applyChange } from '../../shared/room/view'
import { makeServices } from '../helpers/services'

const trusted = { senderId: 'wc:1', trusted: true }

describe('rooms over IPC: the renderer joins, chats and follows the room through typed events', () => {
  let hub: RoomHub
  let services: Services
  const events: Array<{ channel: EventName; payload: unknown }> = []
  const call = async (channel: string, payload: unknown) => {
    const result = await services.router.dispatch(channel, payload, trusted)
    if (!result.ok) throw new Error(`${channel}: ${result.error.code} ${result.error.message}`)
    return result.value as Record<string, unknown>
  }

  beforeAll(async () => {
    hub = await startRoomHub({ log: createLogger('hub', [], new Redactor()) })
    ;({ services } = await makeServices())
    services.events.attach((channel, payload) => events.push({ channel, payload }))
  })
  afterAll(async () => {
    services.rooms.service.dispose()
    await hub.close()
  })

  it('explains what to configure when no room service is known', async () => {
    const result = await services.router.dispatch('room:join', { room: 'lobby', name: 'Ada' }, trusted)
    expect(result).toMatchObject({ ok: false, error: { code: 'network' } })
  })

  it('joins the embedded hub registered by the backend, chats, and mirrors the room view', async () => {
    services.rooms.setLocalHub(hub.origin)
    const joined = await call('room:join', { room: 'ipc-room', name: 'Ada' })
    expect(joined).toMatchObject({ status: 'joined' })
    const { id } = (await call('room:sendChat', { text: 'hello from the renderer' })) as { id: string }
    for (let i = 0; i < 200 && !events.some((e) => e.channel === 'room:chatStatus'); i++) await sleep(10)
    expect(events.find((e) => e.channel === 'room:chatStatus')?.payload).toMatchObject({
      id,
      state: 'acked',
      seq: 1,
    })
    await call('room:hostAction', { action: { kind: 'lock', locked: true } })
    // A renderer rebuilding the view from the events ends where main's view is.
    let view = RoomView.parse(events.find((e) => e.channel === 'room:view')!.payload)
    for (const e of events.filter((x) => x.channel === 'room:delta')) {
      const d = e.payload as { version: number; change: Parameters<typeof applyChange>[1] }
      view = applyChange(view, d.change, d.version)
    }
    const state = await call('room:getState', {})
    expect(view).toEqual(state['view'])
    expect(view.flags.locked).toBe(true)
    expect(view.chat.map((m) => m.text)).toEqual(['hello from the renderer'])
    expect(await call('room:leave', {})).toEqual({ left: true })
    for (let i = 0; i < 200 && hub.info('ipc-room')?.participants !== 0; i++) await sleep(10)
    expect(hub.info('ipc-room')).toMatchObject({ participants: 0 })
    const statuses = events
      .filter((e) => e.channel === 'room:status')
      .map((e) => (e.payload as { state: string }).state)
    expect(statuses).toEqual(['connecting', 'joining', 'joined', 'closed'])
  })

  it('refuses host actions outside a room with a typed error', async () => {
    const result = await services.router.dispatch('room:hostAction', { action: { kind: 'end' } }, trusted)
    expect(result).toMatchObject({ ok: false, error: { code: 'invalid_request' } })
  })
})
