import { execFile } from 'node:child_process'
import { promisify } from 'node:util'

const run = promisify(execFile)

export interface ProbeStream {
  readonly codec_type: string
  readonly codec_name: string
  readonly width?: number
  readonly height?: number
}

/** `ffprobe` facts about a media file: streams and the container duration (seconds, NaN when absent). */
export async function probe(path: string): Promise<{ streams: ProbeStream[]; duration: number }> {
  const { stdout } = await run('ffprobe', [
    '-v',
    'error',
    '-show_entries',
    'stream=codec_type,codec_name,width,height:format=duration',
    '-of',
    'json',
    path,
  ])
  const doc = JSON.parse(stdout) as { streams: ProbeStream[]; format?: { duration?: string } }
  return { streams: doc.streams, duration: Number(doc.format?.duration ?? Number.NaN) }
}

/**
 * Decode every frame of every stream with ffmpeg: exit status and whatever it complained about. Timestamps pass
 * through untouched: MediaRecorder writes variable frame rate, which ffmpeg would otherwise squeeze onto a
 * constant-rate grid and then warn about frames landing in the same slot (a complaint about its own output).
 */
export async function decodeAll(path: string): Promise<{ ok: boolean; errors: string }> {
  try {
    const { stderr } = await run(
      'ffmpeg',
      ['-v', 'error', '-i', path, '-fps_mode', 'passthrough', '-f', 'null', '-'],
      {
        maxBuffer: 16 * 1024 * 1024,
      },
    )
    // The null muxer also complains when two audio packets share a timestamp: Chromium's MediaRecorder does that
    // under heavy CPU load, every player accepts it, and it is not a decoding error. Keep every other line.
    const errors = stderr
      .split('\n')
      .filter((line) => line.trim() !== '' && !/non monotonically increasing dts to muxer/.test(line))
      .join('\n')
    return { ok: true, errors }
  } catch (error) {
    return { ok: false, errors: String((error as { stderr?: string }).stderr ?? error) }
  }
}

/** Timestamps (seconds) of every packet of one stream type, as decoded by ffprobe. */
export async function packetTimes(path: string, stream: 'v' | 'a'): Promise<number[]> {
  const { stdout } = await run(
    'ffprobe',
    ['-v', 'error', '-select_streams', stream, '-show_entries', 'packet=pts_time', '-of', 'csv=p=0', path],
    { maxBuffer: 64 * 1024 * 1024 },
  )
  return stdout
    .split('\n')
    .map((l) => Number(l.trim()))
    .filter((n) => Number.isFinite(n))
}

/** Mean audio level in dBFS over the whole file (about -91 for digital silence). */
export async function meanVolume(path: string): Promise<number> {
  const { stderr } = await run(
    'ffmpeg',
    ['-i', path, '-map', '0:a', '-af', 'volumedetect', '-f', 'null', '-'],
    {
      maxBuffer: 16 * 1024 * 1024,
    },
  )
  const match = /mean_volume:\s*(-?[\d.]+) dB/.exec(stderr)
  return match ? Number(match[1]) : Number.NEGATIVE_INFINITY
}

/** One decoded video frame at `seconds`, as packed RGB (width × height × 3 bytes). */
export async function frameAt(path: string, seconds: number): Promise<Buffer> {
  const { stdout } = await run(
    'ffmpeg',
    [
      '-v',
      'error',
      '-ss',
      String(seconds),
      '-i',
      path,
      '-frames:v',
      '1',
      '-f',
      'rawvideo',
      '-pix_fmt',
      'rgb24',
      '-',
    ],
    { encoding: 'buffer', maxBuffer: 64 * 1024 * 1024 },
  )
  return stdout
}
