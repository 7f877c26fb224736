import { DurableObject } from 'cloudflare:workers'
import { z } from 'zod'
import { joinVerifier, randomId, RoomEngine, type RoomInfo } from '../../../shared/room/engine'
import type { RoomExport } from '../../../shared/room/persist'
import type { LiveConnection } from '../../../shared/room/state'
import { PING_FRAME, PONG_FRAME, RoomName } from '../../../shared/room/protocol'
import { requireSecret, roomConfig, type Env } from '../env'
import { workerLog } from '../routes/http'
import { ROOM_HEADER } from '../routes/rooms'
import { DoRoomStore } from './DoRoomStore'

/** What each hibernatable socket carries across hibernation. */
const Attachment = z.object({
  conn: z.string(),
  room: z.string(),
  openedAt: z.number(),
  /** Last time a frame arrived on it (pings are counted by the runtime's auto-response timestamp instead). */
  seenAt: z.number(),
})
type Attachment = z.infer<typeof Attachment>

/** Refresh a socket's `seenAt` attachment at most this often: serialising per message would cost throughput. */
const SEEN_REFRESH_MS = 5_000

/** Test-only clock offsets per room, kept at module level so they survive an eviction (same isolate). */
const testSkew = new Map<string, number>()

/**
 * One meeting room: a thin adapter from the Durable Object runtime to the shared room engine. Sockets use the
 * Hibernation API (the object can be evicted while sockets stay open; `ctx.getWebSockets()` and the attachments
 * bring them back), pings are answered by the runtime without waking the object, storage is the SQLite-backed KV
 * (see DoRoomStore), and one alarm drives heartbeat eviction, the resume grace period and data retention.
 */
export class RoomObject extends DurableObject<Env> {
  private engine: RoomEngine | null = null
  private store: DoRoomStore | null = null
  private readonly sockets = new Map<string, WebSocket>()

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env)
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair(PING_FRAME, PONG_FRAME))
  }

  private now(room: string): number {
    return Date.now() + (testSkew.get(room) ?? 0)
  }

  private attachment(ws: WebSocket): Attachment | null {
    const parsed = Attachment.safeParse(ws.deserializeAttachment())
    return parsed.success ? parsed.data : null
  }

  /** Build the engine on first use after construction (a fresh object, or a wake-up from hibernation). */
  private engineFor(room: string): RoomEngine {
    if (this.engine) return this.engine
    const live: LiveConnection[] = []
    for (const ws of this.ctx.getWebSockets()) {
      const a = this.attachment(ws)
      if (!a) continue
      this.sockets.set(a.conn, ws)
      const pinged = this.ctx.getWebSocketAutoResponseTimestamp(ws)?.getTime() ?? 0
      const lastSeen = Math.max(a.seenAt, pinged + (testSkew.get(room) ?? 0))
      live.push({ conn: a.conn, openedAt: a.openedAt, lastSeen })
    }
    const store = new DoRoomStore(this.ctx.storage)
    this.store = store
    const engine = new RoomEngine({
      room,
      config: roomConfig(this.env),
      store,
      now: () => this.now(room),
      verify: joinVerifier(requireSecret(this.env, 'JOIN_TOKEN_SECRET'), room, () => this.now(room)),
      log: workerLog.child('room'),
      transport: {
        // Frames wait for the storage commit they follow (group commit, see DoRoomStore).
        send: (conn, text) =>
          store.output(() => {
            try {
              this.sockets.get(conn)?.send(text)
            } catch {
              // Already closing; its close event will follow.
            }
          }),
        close: (conn, code, reason) =>
          store.output(() => {
            const ws = this.sockets.get(conn)
            this.sockets.delete(conn)
            try {
              ws?.close(code, reason)
            } catch {
              // Already closed.
            }
          }),
      },
      schedule: (at) => {
        // Alarms are in real time; the test skew only shifts the room's own clock.
        if (at === null) void this.ctx.storage.deleteAlarm()
        else void this.ctx.storage.setAlarm(at - (testSkew.get(room) ?? 0))
      },
    })
    this.engine = engine
    this.ctx.storage.kv.put('room', room)
    engine.restore(store.load(), live)
    return engine
  }

  private roomOf(ws: WebSocket): Attachment | null {
    const a = this.attachment(ws)
    if (!a) {
      try {
        ws.close(1011, 'unknown socket')
      } catch {
        // Nothing to do.
      }
    }
    return a
  }

  override fetch(req: Request): Response {
    const room = RoomName.safeParse(req.headers.get(ROOM_HEADER))
    if (!room.success || req.headers.get('upgrade')?.toLowerCase() !== 'websocket') {
      return new Response('expected a WebSocket upgrade from the router', { status: 400 })
    }
    const engine = this.engineFor(room.data)
    const pair = new WebSocketPair()
    const [client, server] = [pair[0], pair[1]]
    const conn = randomId(9)
    const now = this.now(room.data)
    this.ctx.acceptWebSocket(server, [conn])
    server.serializeAttachment({ conn, room: room.data, openedAt: now, seenAt: now } satisfies Attachment)
    this.sockets.set(conn, server)
    engine.open(conn)
    return new Response(null, { status: 101, webSocket: client })
  }

  override webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): void {
    const a = this.roomOf(ws)
    if (!a) return
    const engine = this.engineFor(a.room)
    this.sockets.set(a.conn, ws)
    const now = this.now(a.room)
    if (now - a.seenAt > SEEN_REFRESH_MS) ws.serializeAttachment({ ...a, seenAt: now } satisfies Attachment)
    engine.frame(a.conn, message)
  }

  override webSocketClose(ws: WebSocket): void {
    this.dropSocket(ws)
  }

  override webSocketError(ws: WebSocket): void {
    this.dropSocket(ws)
  }

  private dropSocket(ws: WebSocket): void {
    const a = this.attachment(ws)
    try {
      // Echoing the received code (1005/1006) throws; close with a plain one.
      ws.close(1000)
    } catch {
      // Already closed.
    }
    if (!a) return
    this.sockets.delete(a.conn)
    this.engineFor(a.room).closed(a.conn)
  }

  override alarm(): void {
    const room = this.ctx.storage.kv.get<string>('room')
    if (!room) return // data already deleted and nobody connected
    const engine = this.engineFor(room)
    engine.tick(this.pingTimes(room))
    this.store?.flush()
  }

  /** Last auto-answered ping per socket: heartbeats never reach the object, the runtime timestamps them. */
  private pingTimes(room: string): Record<string, number> {
    const seen: Record<string, number> = {}
    for (const [conn, ws] of this.sockets) {
      const t = this.ctx.getWebSocketAutoResponseTimestamp(ws)
      if (t) seen[conn] = t.getTime() + (testSkew.get(room) ?? 0)
    }
    return seen
  }

  /** RPC from the router. */
  info(room: string): RoomInfo {
    const info = this.engineFor(room).info()
    this.store?.flush()
    return info
  }

  exportData(room: string): RoomExport {
    const data = this.engineFor(room).exportData()
    this.store?.flush()
    return data
  }

  importData(
    room: string,
    data: unknown,
  ): { ok: true } | { ok: false; reason: 'invalid' | 'occupied'; message: string } {
    const result = this.engineFor(room).importData(data)
    this.store?.flush()
    return result
  }

  /** Tests only (ROOM_TEST_HOOKS=1): move this room's clock forward without running anything. */
  skewClockForTest(room: string, ms: number): void {
    if (this.env.ROOM_TEST_HOOKS !== '1') throw new Error('test hooks are disabled')
    testSkew.set(room, (testSkew.get(room) ?? 0) + ms)
  }

  /** Tests only: move the clock forward and run what became due, as the alarm would. */
  advanceClockForTest(room: string, ms: number): void {
    this.skewClockForTest(room, ms)
    this.engineFor(room).tick(this.pingTimes(room))
    this.store?.flush()
  }
}
