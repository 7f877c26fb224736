import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { createLogger } from '../../../shared/log/logger'
import { Redactor } from '../../../shared/log/redact'
import type { RecordingStatus } from '../../../shared/recording/schemas'
import type { StreamServerFrame } from '../../../shared/recording/stream'
import { tempDir } from '../../../test/helpers/services'
import type { ChunkConnection, ChunkHandlers } from './ChunkConnection'
import { LocalRecordingGate, type RecordingRevoke } from './RecordingGate'
import { RecordingService, type RecordingServiceOptions } from './RecordingService'
import { WebmFileWriter } from './WebmFileWriter'

const chromium = readFileSync('test/fixtures/recording/chromium-vp9-opus-alpha.webm')
const GB = 1024 ** 3
const request = {
  room: 'abc-defg-hij',
  source: 'meeting',
  mimeType: 'video/webm;codecs=vp9,opus',
  width: 160,
  height: 90,
} as const

function fakeConnection() {
  const sent: StreamServerFrame[] = []
  let handlers: ChunkHandlers | null = null
  let closed = false
  const conn: ChunkConnection = {
    listen: (h) => void (handlers = h),
    send: (frame) => void sent.push(frame),
    close: () => void (closed = true),
  }
  return {
    conn,
    sent,
    get closed() {
      return closed
    },
    handlers: () => {
      if (!handlers) throw new Error('not listening')
      return handlers
    },
  }
}

function setup(overrides: Partial<RecordingServiceOptions> & { free?: { bytes: number | null } } = {}) {
  const folder = overrides.folder ?? join(tempDir(), 'recordings')
  const statuses: RecordingStatus[] = []
  const free = overrides.free ?? { bytes: 10 * GB }
  const gate = overrides.gate ?? new LocalRecordingGate()
  let listChanges = 0
  const service = new RecordingService({
    folder,
    log: createLogger('test', [], new Redactor()),
    gate,
    displayName: () => 'Ada',
    onStatus: (s) => void statuses.push(s),
    onListChanged: () => void listChanges++,
    freeBytes: async () => free.bytes,
    thresholds: { minFreeToStart: GB, stopBelow: 500 * 1024 ** 2 },
    diskCheckIntervalMs: 0,
    streamWaitMs: 300,
    ...overrides,
  })
  return { service, folder, statuses, free, gate, listChanges: () => listChanges }
}

/** Feed the fixture as the renderer would, waiting for each ack (each chunk is on disk). */
async function feed(fake: ReturnType<typeof fakeConnection>, bytes: Uint8Array, chunk = 4000): Promise<void> {
  for (let at = 0; at < bytes.length; at += chunk) {
    const acks = fake.sent.length
    fake.handlers().chunk(bytes.subarray(at, at + chunk))
    await until(() => fake.sent.length > acks)
  }
}

/** The local rule, plus a room that can revoke (a host's order, the meeting's end) when the test says so. */
class RevokingGate extends LocalRecordingGate {
  private readonly revokeListeners = new Set<(revoke: RecordingRevoke) => void>()
  override onRevoke(listener: (revoke: RecordingRevoke) => void): () => void {
    this.revokeListeners.add(listener)
    return () => void this.revokeListeners.delete(listener)
  }
  revoke(revoke: RecordingRevoke): void {
    for (const listener of this.revokeListeners) listener(revoke)
  }
}

async function until(check: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met in time')
    await new Promise((r) => setTimeout(r, 5))
  }
}

describe('RecordingService', () => {
  it('records, raises and clears the room flag, finalises and lists the file', async () => {
    const { service, folder, statuses, gate } = setup()
    const { id, name } = await service.start(request)
    expect(name).toMatch(/^abc-defg-hij-\d{4}-\d{2}-\d{2}_\d{2}-\d{2}-\d{2}\.webm$/)
    expect(gate.state('abc-defg-hij')).toMatchObject({
      active: true,
      byName: 'Ada',
      byMe: true,
      canRecord: false,
    })
    const fake = fakeConnection()
    service.attachStream(id, fake.conn)
    await feed(fake, chromium)
    expect(fake.sent.at(-1)).toMatchObject({ t: 'ack', bytes: expect.any(Number) })
    fake.handlers().end()
    const entry = await service.stop(id)
    expect(entry).toMatchObject({ name, status: 'ready', width: 160, height: 90 })
    expect(entry!.durationMs).toBeGreaterThan(2400)
    expect(gate.state('abc-defg-hij')).toMatchObject({ active: false, canRecord: true })
    expect(fake.closed).toBe(true)
    expect(statuses.map((s) => s.state)).toEqual(
      expect.arrayContaining(['waiting', 'recording', 'finishing', 'stopped']),
    )
    expect(statuses.at(-1)).toMatchObject({ state: 'stopped', reason: 'user', entry: { name } })
    expect(await service.library.list()).toEqual([entry])
    expect(readdirSync(folder)).toEqual([name])
    // A late second stop gets the same answer.
    expect(await service.stop(id)).toEqual(entry)
  })

  it('refuses to start when the room gate says no', async () => {
    let host = true
    const gate = new LocalRecordingGate(() => host)
    const { service } = setup({ gate })
    await gate.setAllowOthers('abc-defg-hij', false)
    host = false
    await expect(gate.setAllowOthers('abc-defg-hij', true)).rejects.toThrow(/Only the host/)
    await expect(service.start(request)).rejects.toMatchObject({
      code: 'forbidden',
      message: 'The host does not allow participants to record this meeting.',
    })
    host = true
    // With the flag already raised by someone, nobody starts a second recording in the room.
    await gate.setRecordingFlag('abc-defg-hij', { byName: 'Grace', paused: false })
    await expect(service.start(request)).rejects.toMatchObject({
      code: 'forbidden',
      message: 'Grace is already recording this meeting.',
    })
  })

  it('refuses to start with too little free space, and creates no file', async () => {
    const { service, folder } = setup({ free: { bytes: 200 * 1024 ** 2 } })
    await expect(service.start(request)).rejects.toMatchObject({ code: 'storage_unavailable' })
    expect(readdirSync(folder)).toEqual([])
  })

  it('stops on its own when the disk runs low, keeps and finalises what it has', async () => {
    const { service, free, statuses, gate } = setup()
    const { id } = await service.start(request)
    const fake = fakeConnection()
    service.attachStream(id, fake.conn)
    await feed(fake, chromium.subarray(0, 20_000))
    free.bytes = 100 * 1024 ** 2
    fake.handlers().chunk(chromium.subarray(20_000, 24_000))
    await until(() => statuses.at(-1)?.state === 'stopped')
    expect(fake.sent.find((f) => f.t === 'stopped')).toMatchObject({ t: 'stopped', reason: 'disk_low' })
    expect(statuses.at(-1)).toMatchObject({
      reason: 'disk_low',
      message: expect.stringMatching(/disk space/),
    })
    expect(gate.state('abc-defg-hij').active).toBe(false)
    // Chunks still in flight are ignored; the renderer's stop gets the finished entry.
    fake.handlers().chunk(chromium.subarray(24_000))
    const entry = await service.stop(id)
    expect(entry).toMatchObject({ status: 'ready' })
    expect(entry!.durationMs).toBeGreaterThan(1000)
  })

  it('finalises when the stream drops without an end (renderer gone)', async () => {
    const { service, statuses } = setup()
    const { id } = await service.start(request)
    const fake = fakeConnection()
    service.attachStream(id, fake.conn)
    await feed(fake, chromium.subarray(0, 16_000))
    fake.handlers().close()
    await until(() => statuses.at(-1)?.state === 'stopped')
    expect(statuses.at(-1)).toMatchObject({ reason: 'stream_lost', entry: { status: 'ready' } })
  })

  it('gives up on a recorder that never connects, and removes the empty file', async () => {
    const { service, folder, statuses } = setup()
    const { id } = await service.start(request)
    await until(() => statuses.at(-1)?.state === 'stopped')
    expect(statuses.at(-1)).toMatchObject({ reason: 'stream_lost' })
    expect(statuses.at(-1)?.entry).toBeUndefined()
    expect(readdirSync(folder)).toEqual([])
    expect(await service.stop(id)).toBeNull()
  })

  it('pauses and resumes: state and the room flag follow', async () => {
    const { service, gate } = setup()
    const { id } = await service.start(request)
    service.attachStream(id, fakeConnection().conn)
    expect(service.pause(id).state).toBe('paused')
    expect(gate.state('abc-defg-hij')).toMatchObject({ active: true, paused: true })
    expect(service.resume(id).state).toBe('recording')
    expect(gate.state('abc-defg-hij').paused).toBe(false)
    expect(() => service.pause('Zm9vYmFyYmF6cXV4cXV1eA')).toThrow(/not running/)
    await service.stopAll()
  })

  it('allows one recording at a time and one stream per recording', async () => {
    const { service } = setup()
    const { id } = await service.start(request)
    await expect(service.start(request)).rejects.toMatchObject({ code: 'invalid_request' })
    const first = fakeConnection()
    service.attachStream(id, first.conn)
    const second = fakeConnection()
    service.attachStream(id, second.conn)
    expect(second.sent).toEqual([{ t: 'error', code: 'not_found', message: expect.any(String) }])
    expect(second.closed).toBe(true)
    const stranger = fakeConnection()
    service.attachStream('Zm9vYmFyYmF6cXV4cXV1eA', stranger.conn)
    expect(stranger.closed).toBe(true)
    await service.stopAll()
  })

  it('deletes, reveals and links only files in its folder, never the running one', async () => {
    const revealed: string[] = []
    const { service, folder } = setup({ revealInFolder: async (p) => (revealed.push(p), true) })
    const { id, name } = await service.start(request)
    await expect(service.remove(name)).rejects.toMatchObject({ code: 'invalid_request' })
    const fake = fakeConnection()
    service.attachStream(id, fake.conn)
    await feed(fake, chromium)
    await service.stop(id)
    expect(await service.reveal(name)).toBe(true)
    expect(revealed).toEqual([join(folder, name)])
    expect(await service.links(name)).toEqual({ play: null, download: null })
    service.setLinkProvider((n) => ({ play: `http://x/${n}`, download: null }))
    expect((await service.links(name)).play).toBe(`http://x/${name}`)
    await expect(service.remove('../settings.json')).rejects.toMatchObject({ code: 'invalid_request' })
    await expect(service.links('missing.webm')).rejects.toMatchObject({ code: 'not_found' })
    await service.remove(name)
    expect(existsSync(join(folder, name))).toBe(false)
    await expect(service.remove(name)).rejects.toMatchObject({ code: 'not_found' })
  })

  it('repairs files a crash left unfinished when it starts, and leaves other files alone', async () => {
    const folder = join(tempDir(), 'recordings')
    const { service: first } = setup({ folder })
    await first.start(request).then(({ id }) => first.stopAll().then(() => id))
    const writer = await WebmFileWriter.create(join(folder, 'crashed.webm'))
    await writer.append(chromium.subarray(0, 25_000))
    await writer.abort()
    writeFileSync(join(folder, 'foreign.webm'), chromium)
    const { service } = setup({ folder })
    const list = await service.library.list()
    expect(list.find((e) => e.name === 'crashed.webm')).toMatchObject({ status: 'ready' })
    expect(list.find((e) => e.name === 'crashed.webm')!.durationMs).toBeGreaterThan(1500)
    expect(list.find((e) => e.name === 'foreign.webm')).toMatchObject({ status: 'unfinished' })
    expect(readFileSync(join(folder, 'foreign.webm'))).toEqual(chromium)
  })

  it('asks the recorder to stop when the room revokes the recording, and keeps every chunk it then sends', async () => {
    const gate = new RevokingGate()
    const { service, statuses } = setup({ gate })
    const { id } = await service.start(request)
    const fake = fakeConnection()
    service.attachStream(id, fake.conn)
    await feed(fake, chromium.subarray(0, 20_000))
    gate.revoke({ room: 'abc-defg-hij', reason: 'forbidden', message: 'A host forbade it.' })
    expect(fake.sent.at(-1)).toEqual({ t: 'stopped', reason: 'forbidden', message: 'A host forbade it.' })
    // The recorder flushes its last chunk, ends the stream and stops, as after a user's stop.
    await feed(fake, chromium.subarray(20_000))
    fake.handlers().end()
    const entry = await service.stop(id, 'user')
    expect(entry).toMatchObject({ status: 'ready' })
    expect(entry!.durationMs).toBeGreaterThan(2400)
    expect(statuses.at(-1)).toMatchObject({
      state: 'stopped',
      reason: 'forbidden',
      message: 'A host forbade it.',
    })
    expect(gate.state('abc-defg-hij').active).toBe(false)
    expect(fake.sent.filter((f) => f.t === 'stopped')).toHaveLength(1)
  })

  it('finishes alone when the recorder ignores a revoke; revokes for another room are ignored', async () => {
    const gate = new RevokingGate()
    const { service, statuses } = setup({ gate })
    const { id } = await service.start(request)
    const fake = fakeConnection()
    service.attachStream(id, fake.conn)
    await feed(fake, chromium.subarray(0, 20_000))
    gate.revoke({ room: 'other-room', reason: 'meeting_ended', message: 'Over.' })
    expect(fake.sent.some((f) => f.t === 'stopped')).toBe(false)
    gate.revoke({ room: 'abc-defg-hij', reason: 'meeting_ended', message: 'You left.' })
    await until(() => statuses.at(-1)?.state === 'stopped')
    expect(statuses.at(-1)).toMatchObject({ reason: 'meeting_ended', entry: { status: 'ready' } })
    expect(await service.stop(id)).toMatchObject({ status: 'ready' })
  })
})
