import type { Page } from '@playwright/test'

/**
 * In-page instrumentation for the meeting benches, installed with `context.addInitScript` before the app loads.
 * It reads only what the page already does, without hooks in the renderer:
 * - every `<video>` the app gives a `srcObject` gets a requestVideoFrameCallback loop; each presented frame is
 *   logged with the tile's `data-name`/`data-kind` (first frame, count, the last 900 frame times);
 * - the web host's RPC socket: when each room event arrives (`t: "event"` frames) and when `room:publishTracks` is
 *   sent;
 * - when getDisplayMedia resolves (the screen-share picker's answer).
 * Every time is epoch milliseconds, `performance.timeOrigin + performance.now()`, so pages of one browser and this
 * process share a clock. Plain JavaScript: it runs in the page as is.
 */
export const PROBE_SCRIPT = String.raw`(() => {
  if (globalThis.__probe) return
  const now = () => performance.timeOrigin + performance.now()
  const probe = (globalThis.__probe = { streams: [], events: [], sent: [], marks: {}, g2g: null })
  const NativeWs = globalThis.WebSocket
  globalThis.WebSocket = class extends NativeWs {
    constructor(...args) {
      super(...args)
      this.addEventListener('message', (e) => {
        if (typeof e.data === 'string' && e.data.startsWith('{"t":"event"')) {
          probe.events.push({ at: now(), data: e.data })
          if (probe.events.length > 400) probe.events.splice(0, 100)
        }
      })
    }
  }
  const send = NativeWs.prototype.send
  NativeWs.prototype.send = function (data) {
    if (typeof data === 'string' && data.includes('"channel":"room:publishTracks"')) probe.sent.push({ at: now(), data })
    return send.call(this, data)
  }
  const md = globalThis.MediaDevices && MediaDevices.prototype
  if (md && md.getDisplayMedia) {
    const gdm = md.getDisplayMedia
    md.getDisplayMedia = async function (...args) {
      const stream = await gdm.apply(this, args)
      probe.marks.displayResolved = now()
      return stream
    }
  }
  const desc = Object.getOwnPropertyDescriptor(HTMLMediaElement.prototype, 'srcObject')
  Object.defineProperty(HTMLMediaElement.prototype, 'srcObject', {
    configurable: true,
    enumerable: true,
    get() {
      return desc.get.call(this)
    },
    set(value) {
      desc.set.call(this, value)
      if (value && this instanceof HTMLVideoElement) watch(this, value)
    },
  })
  function watch(video, stream) {
    const tile = video.closest('[data-name]')
    const entry = {
      name: tile ? tile.getAttribute('data-name') : null,
      kind: tile ? tile.getAttribute('data-kind') : null,
      setAt: now(),
      first: null,
      count: 0,
      times: [],
      width: 0,
      height: 0,
    }
    probe.streams.push(entry)
    const onFrame = (_t, meta) => {
      if (video.srcObject !== stream) return
      const at = now()
      if (entry.first === null) entry.first = at
      entry.count++
      entry.width = meta.width
      entry.height = meta.height
      entry.times.push(at)
      if (entry.times.length > 900) entry.times.splice(0, 300)
      if (probe.g2g && probe.g2g.name === entry.name && entry.kind === 'camera') readBarcode(probe.g2g, video, at)
      video.requestVideoFrameCallback(onFrame)
    }
    video.requestVideoFrameCallback(onFrame)
  }
  // Glass-to-glass: read the publisher's barcode (see BARCODE_CAMERA_SCRIPT) off each presented frame.
  function readBarcode(g, video, at) {
    if (!g.ctx) {
      const c = document.createElement('canvas')
      c.width = 160
      c.height = 120
      g.ctx = c.getContext('2d', { willReadFrequently: true })
    }
    g.ctx.drawImage(video, 0, 0, 160, 120)
    const px = g.ctx.getImageData(0, 0, 160, 120).data
    const bits = []
    let ambiguous = false
    for (let i = 0; i < 48; i++) {
      const cx = (i % 8) * 20 + 10
      const cy = Math.floor(i / 8) * 20 + 10
      let sum = 0
      for (let y = cy - 4; y < cy + 4; y++)
        for (let x = cx - 4; x < cx + 4; x++) {
          const o = (y * 160 + x) * 4
          sum += px[o] + px[o + 1] + px[o + 2]
        }
      const level = sum / (64 * 3)
      if (level > 72 && level < 184) ambiguous = true
      bits.push(level >= 128 ? 1 : 0)
    }
    g.total++
    const bytes = []
    for (let b = 0; b < 6; b++) {
      let v = 0
      for (let k = 0; k < 8; k++) v = (v << 1) | bits[b * 8 + k]
      bytes.push(v)
    }
    if (ambiguous || crc8(bytes.slice(0, 5)) !== bytes[5]) {
      g.failed++
      return
    }
    const painted = ((bytes[0] << 24) | (bytes[1] << 16) | (bytes[2] << 8) | bytes[3]) >>> 0
    const latency = (((at % 4294967296) - painted) + 4294967296) % 4294967296
    g.samples.push(latency)
    g.painted.push(painted)
  }
  function crc8(bytes) {
    let c = 0
    for (const byte of bytes) {
      c ^= byte
      for (let k = 0; k < 8; k++) c = c & 0x80 ? ((c << 1) ^ 0x07) & 0xff : (c << 1) & 0xff
    }
    return c
  }
  globalThis.__probeCrc8 = crc8
})()`

/**
 * The publisher's side of the glass-to-glass bench: getUserMedia's video becomes a 640x480 canvas that shows, 30
 * times a second, the epoch millisecond at which it was painted as a barcode of 8x6 black or white 80 px blocks:
 * 32 bits of the time (mod 2^32), an 8-bit frame counter and a CRC-8 over both. Each paint is captured as exactly one frame
 * (captureStream(0) + requestFrame). Audio still comes from the
 * (fake) microphone. Install after PROBE_SCRIPT (it uses its CRC).
 */
export const BARCODE_CAMERA_SCRIPT = String.raw`(() => {
  const md = MediaDevices.prototype
  const gum = md.getUserMedia
  md.getUserMedia = async function (constraints) {
    if (!constraints || !constraints.video) return gum.call(this, constraints)
    const stream = new MediaStream()
    if (constraints.audio) for (const t of (await gum.call(this, { audio: constraints.audio })).getAudioTracks()) stream.addTrack(t)
    const canvas = document.createElement('canvas')
    canvas.width = 640
    canvas.height = 480
    const ctx = canvas.getContext('2d')
    let seq = 0
    const paint = () => {
      const t = Math.round(performance.timeOrigin + performance.now()) % 4294967296
      const bytes = [(t >>> 24) & 255, (t >>> 16) & 255, (t >>> 8) & 255, t & 255, seq++ & 255]
      bytes.push(globalThis.__probeCrc8(bytes))
      for (let i = 0; i < 48; i++) {
        const bit = (bytes[Math.floor(i / 8)] >> (7 - (i % 8))) & 1
        ctx.fillStyle = bit ? '#fff' : '#000'
        ctx.fillRect((i % 8) * 80, Math.floor(i / 8) * 80, 80, 80)
      }
    }
    // Frame rate 0: a frame is captured exactly when requestFrame() follows a paint, one per painted time.
    const track = canvas.captureStream(0).getVideoTracks()[0]
    const timer = setInterval(() => {
      paint()
      track.requestFrame()
    }, 1000 / 30)
    track.addEventListener('ended', () => clearInterval(timer))
    const stop = track.stop.bind(track)
    track.stop = () => {
      clearInterval(timer)
      stop()
    }
    stream.addTrack(track)
    return stream
  }
})()`

export interface StreamEntry {
  readonly name: string | null
  readonly kind: string | null
  readonly setAt: number
  readonly first: number | null
  readonly count: number
  readonly times: number[]
  readonly width: number
  readonly height: number
}

export interface ProbeState {
  readonly streams: StreamEntry[]
  readonly events: { at: number; data: string }[]
  readonly sent: { at: number; data: string }[]
  readonly marks: { displayResolved?: number }
}

export interface G2gState {
  readonly total: number
  readonly failed: number
  /** Latency of every presented frame whose barcode was read, ms. */
  readonly samples: number[]
  /** The painted time (mod 2^32) of each of those frames. */
  readonly painted: number[]
}

export function probeState(page: Page): Promise<ProbeState> {
  return page.evaluate(() => {
    const p = (globalThis as unknown as { __probe: ProbeState }).__probe
    return { streams: p.streams, events: p.events, sent: p.sent, marks: p.marks }
  })
}

/** Start (or restart) reading the barcode of `name`'s camera on this page. */
export function startBarcodeReader(page: Page, name: string): Promise<void> {
  return page.evaluate((n) => {
    const p = (globalThis as unknown as { __probe: { g2g: unknown } }).__probe
    p.g2g = { name: n, total: 0, failed: 0, samples: [], painted: [] }
  }, name)
}

export function barcodeState(page: Page): Promise<G2gState> {
  return page.evaluate(() => {
    const g = (globalThis as unknown as { __probe: { g2g: G2gState } }).__probe.g2g
    return { total: g.total, failed: g.failed, samples: g.samples, painted: g.painted }
  })
}

/** Epoch milliseconds on the same clock as the pages. */
export function epochNow(): number {
  return performance.timeOrigin + performance.now()
}
