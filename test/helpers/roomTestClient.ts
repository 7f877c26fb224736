import {
  parseServerFrame,
  PING_FRAME,
  PROTOCOL_VERSION,
  type ClientBody,
  type ServerMessage,
} from '../../shared/room/protocol'

/**
 * A bare protocol client for tests that runs in Node and in workerd: it speaks raw frames and records everything,
 * with none of the main-process client's retries, so tests see exactly what a room sends. No node:* imports.
 */
export interface RawSocket {
  send(text: string): void
  close(code?: number): void
  onMessage(fn: (text: string) => void): void
  onClose(fn: (code: number) => void): void
}

type Frame = ServerMessage | { readonly type: 'pong' }
type FrameOf<T extends Frame['type']> = Extract<Frame, { type: T }>

const WAIT_MS = 5000

export class TestClient {
  readonly frames: Frame[] = []
  closeCode: number | null = null
  private readonly taken = new Set<number>()
  private waiters: Array<() => void> = []
  private seq = 0

  constructor(
    readonly raw: RawSocket,
    readonly label: string,
  ) {
    raw.onMessage((text) => {
      const parsed = parseServerFrame(text)
      if (!parsed.ok) throw new Error(`${label} got a frame outside the protocol: ${text.slice(0, 200)}`)
      this.frames.push('pong' in parsed ? { type: 'pong' } : parsed.message)
      this.wake()
    })
    raw.onClose((code) => {
      this.closeCode = code
      this.wake()
    })
  }

  private wake(): void {
    const waiters = this.waiters
    this.waiters = []
    for (const w of waiters) w()
  }

  nextId(prefix = 'm'): string {
    return `${prefix}${this.label}${++this.seq}`
  }

  send(message: ClientBody): void {
    this.raw.send(JSON.stringify({ v: PROTOCOL_VERSION, ...message }))
  }

  sendRaw(text: string): void {
    this.raw.send(text)
  }

  ping(): void {
    this.raw.send(PING_FRAME)
  }

  /** Every frame of a type received so far (taken or not). */
  all<T extends Frame['type']>(type: T): FrameOf<T>[] {
    return this.frames.filter((f): f is FrameOf<T> => f.type === type)
  }

  /** Resolve with the first frame of `type` matching `match` not yet returned by an earlier `next`. */
  next<T extends Frame['type']>(
    type: T,
    match: (f: FrameOf<T>) => boolean = () => true,
  ): Promise<FrameOf<T>> {
    return this.until(`a ${type} frame`, () => {
      for (let i = 0; i < this.frames.length; i++) {
        const f = this.frames[i]!
        if (!this.taken.has(i) && f.type === type && match(f as FrameOf<T>)) {
          this.taken.add(i)
          return f as FrameOf<T>
        }
      }
      return undefined
    })
  }

  closed(): Promise<number> {
    return this.until('the socket to close', () => this.closeCode ?? undefined)
  }

  /** Wait until `probe` returns a value; fail the test after a few seconds with what we were waiting for. */
  until<R>(what: string, probe: () => R | undefined): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      const timer = setTimeout(() => {
        const seen = this.frames.map((f) => f.type).join(',')
        reject(new Error(`${this.label}: timed out waiting for ${what} (saw: ${seen.slice(-400)})`))
      }, WAIT_MS)
      const check = () => {
        let value: R | undefined
        try {
          value = probe()
        } catch (error) {
          clearTimeout(timer)
          reject(error as Error)
          return
        }
        if (value !== undefined) {
          clearTimeout(timer)
          resolve(value)
        } else this.waiters.push(check)
      }
      check()
    })
  }

  /** Send `join` and wait for `welcome` (or `waiting`, or the refusal). */
  async join(
    name: string,
    token = '',
    extra: { resume?: { participant: string; secret: string }; ai?: boolean } = {},
  ): Promise<FrameOf<'welcome'> | FrameOf<'waiting'>> {
    const id = this.nextId('join')
    this.send({ type: 'join', id, token, name, ...extra })
    return this.until('welcome', () => {
      const f = this.frames.find((x) => x.type === 'welcome' || x.type === 'waiting')
      if (f) return f as FrameOf<'welcome'> | FrameOf<'waiting'>
      const refused = this.frames.find((x) => x.type === 'error' && x.id === id)
      if (refused) throw new Error(`${this.label} join refused: ${JSON.stringify(refused)}`)
      return undefined
    })
  }

  async welcome(name: string, token = '', extra: Parameters<TestClient['join']>[2] = {}) {
    const w = await this.join(name, token, extra)
    if (w.type !== 'welcome') throw new Error(`${this.label} expected welcome, got ${w.type}`)
    return w
  }

  /** Send a chat message and wait for its ack. */
  async chat(text: string, to?: string): Promise<FrameOf<'ack'>> {
    const id = this.nextId()
    this.send({ type: 'chat', id, text, ...(to ? { to } : {}) })
    return this.next('ack', (a) => a.id === id)
  }
}
