/**
 * Small PCM WAV files for caption tests: a sine tone (speech recognition is the stub's job; the point is a
 * real, well-formed audio file travelling renderer → main → AI server).
 */
export function sineWav(options: {
  seconds: number
  hz?: number
  sampleRate?: number
  amplitude?: number
}): Buffer {
  const rate = options.sampleRate ?? 16_000
  const hz = options.hz ?? 440
  const amplitude = options.amplitude ?? 0.3
  const samples = Math.round(options.seconds * rate)
  const data = Buffer.alloc(samples * 2)
  for (let i = 0; i < samples; i++) {
    data.writeInt16LE(Math.round(Math.sin((2 * Math.PI * hz * i) / rate) * amplitude * 32767), i * 2)
  }
  const header = Buffer.alloc(44)
  header.write('RIFF', 0, 'latin1')
  header.writeUInt32LE(36 + data.length, 4)
  header.write('WAVE', 8, 'latin1')
  header.write('fmt ', 12, 'latin1')
  header.writeUInt32LE(16, 16) // PCM fmt chunk size
  header.writeUInt16LE(1, 20) // PCM
  header.writeUInt16LE(1, 22) // mono
  header.writeUInt32LE(rate, 24)
  header.writeUInt32LE(rate * 2, 28) // byte rate
  header.writeUInt16LE(2, 32) // block align
  header.writeUInt16LE(16, 34) // bits per sample
  header.write('data', 36, 'latin1')
  header.writeUInt32LE(data.length, 40)
  return Buffer.concat([header, data])
}

export interface WavInfo {
  readonly sampleRate: number
  readonly channels: number
  readonly bitsPerSample: number
  readonly durationMs: number
}

/** Parse a PCM WAV header (walking the chunks). Null when the bytes are not a readable WAV file. */
export function readWav(bytes: Uint8Array): WavInfo | null {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  if (
    buf.length < 12 ||
    buf.toString('latin1', 0, 4) !== 'RIFF' ||
    buf.toString('latin1', 8, 12) !== 'WAVE'
  ) {
    return null
  }
  let offset = 12
  let fmt: { sampleRate: number; channels: number; bitsPerSample: number } | null = null
  while (offset + 8 <= buf.length) {
    const id = buf.toString('latin1', offset, offset + 4)
    const size = buf.readUInt32LE(offset + 4)
    const body = offset + 8
    if (id === 'fmt ' && size >= 16 && body + 16 <= buf.length) {
      fmt = {
        channels: buf.readUInt16LE(body + 2),
        sampleRate: buf.readUInt32LE(body + 4),
        bitsPerSample: buf.readUInt16LE(body + 14),
      }
    }
    if (id === 'data' && fmt) {
      const bytesAvailable = Math.min(size, buf.length - body)
      const frameBytes = (fmt.bitsPerSample / 8) * fmt.channels
      if (frameBytes <= 0 || fmt.sampleRate <= 0) return null
      return { ...fmt, durationMs: Math.round((bytesAvailable / frameBytes / fmt.sampleRate) * 1000) }
    }
    offset = body + size + (size % 2)
  }
  return null
}
