import { open, type FileHandle } from 'node:fs/promises'
import type { Logger } from '../../../shared/log/logger'
import { concat, EbmlError } from './ebml'
import { planFinalize, rewriteHeader, type FinalizePlan } from './webmLayout'
import { WebmScanner } from './WebmScanner'

export interface FinalizeResult {
  readonly bytes: number
  readonly durationMs: number
  /** True when the file got Duration, Cues and a SeekHead (a player can seek without reading it all). */
  readonly seekable: boolean
  readonly cuePoints: number
}

/** The header must show up within this many bytes, or we write the stream untouched (playable, not seekable). */
const MAX_HEADER_BYTES = 4 * 1024 * 1024

/**
 * Appends MediaRecorder chunks to a WebM file as they arrive, so a crash loses only what was not yet received.
 * The first bytes are rewritten to reserve room for a SeekHead and Duration, every chunk goes through a scanner
 * that remembers cluster positions, and `finalize()` then writes Cues at the end and patches the reserved fields
 * in place: it never reads the file back, so finishing an hour takes as long as finishing a minute.
 */
export class WebmFileWriter {
  private phase: 'header' | 'body' | 'raw' = 'header'
  private pre: Uint8Array[] = []
  private preLength = 0
  private readonly inScan = new WebmScanner()
  private readonly scan = new WebmScanner()
  private scanOk = true
  private size = 0
  private lastSync: number
  private queue: Promise<void> = Promise.resolve()
  private failure: unknown = null
  private done = false

  private constructor(
    private readonly file: FileHandle,
    readonly path: string,
    private readonly options: { syncIntervalMs: number; now: () => number; log?: Logger },
  ) {
    this.lastSync = options.now()
  }

  /** Create the file (never overwriting one) with owner-only permissions. */
  static async create(
    path: string,
    options: { syncIntervalMs?: number; now?: () => number; log?: Logger } = {},
  ): Promise<WebmFileWriter> {
    const file = await open(path, 'wx', 0o600)
    return new WebmFileWriter(file, path, {
      syncIntervalMs: options.syncIntervalMs ?? 1000,
      now: options.now ?? Date.now,
      ...(options.log ? { log: options.log } : {}),
    })
  }

  /** Bytes on disk so far. */
  get bytesWritten(): number {
    return this.size
  }

  /** Media time received so far, in milliseconds. */
  get durationMs(): number {
    return this.scanOk ? this.scan.durationMs : 0
  }

  /**
   * Queue a chunk; resolves once it is written (and synced when the sync interval has passed). Chunks are
   * written in call order. Rejects with the first write error; later calls reject with it too.
   */
  append(chunk: Uint8Array): Promise<void> {
    if (this.done) return Promise.reject(new Error('the recording file is already closed'))
    const step = this.queue.then(() => this.write(chunk))
    this.queue = step.catch((error: unknown) => {
      this.failure ??= error
    })
    return step
  }

  /** Wait for queued writes, finish the file in place and close it. Safe to call once. */
  async finalize(): Promise<FinalizeResult> {
    await this.settle()
    try {
      if (this.phase === 'header' && this.preLength > 0) await this.flushRaw()
      const plan = this.scanOk ? planFinalize(this.scan) : null
      if (plan) await applyPlan(this.file, plan)
      else await this.file.datasync()
      const bytes = plan ? plan.truncateTo + plan.cues.length : this.size
      return {
        bytes,
        durationMs: plan?.durationMs ?? this.durationMs,
        seekable: plan?.seekable ?? false,
        cuePoints: plan?.cuePoints ?? 0,
      }
    } finally {
      await this.file.close()
    }
  }

  /** Close without finalising: what was written stays playable. */
  async abort(): Promise<void> {
    await this.settle().catch(() => undefined)
    await this.file.close().catch(() => undefined)
  }

  private async settle(): Promise<void> {
    this.done = true
    await this.queue
    if (this.failure) throw this.failure
  }

  private async write(chunk: Uint8Array): Promise<void> {
    if (this.failure) throw this.failure
    if (this.phase === 'header') {
      this.pre.push(chunk)
      this.preLength += chunk.length
      try {
        this.inScan.push(chunk)
      } catch (error) {
        this.options.log?.warn('could not read the recording header; writing it unchanged', {
          error: String(error),
        })
        return this.flushRaw()
      }
      const first = this.inScan.firstClusterStart
      if (first === undefined) {
        if (this.preLength > MAX_HEADER_BYTES) return this.flushRaw()
        return
      }
      const all = concat(this.pre)
      this.pre = []
      this.preLength = 0
      this.phase = 'body'
      return this.out(concat([rewriteHeader(all.subarray(0, first), this.inScan), all.subarray(first)]))
    }
    return this.out(chunk)
  }

  private async flushRaw(): Promise<void> {
    const all = concat(this.pre)
    this.pre = []
    this.preLength = 0
    this.phase = 'raw'
    await this.out(all)
  }

  private async out(bytes: Uint8Array): Promise<void> {
    if (this.scanOk) {
      try {
        this.scan.push(bytes)
      } catch (error) {
        // Keep recording: the file still plays, it just will not get seek information.
        this.scanOk = false
        this.options.log?.warn('recording stream is not WebM as expected; it will not be seekable', {
          error: error instanceof EbmlError ? error.message : String(error),
        })
      }
    }
    let written = 0
    while (written < bytes.length) {
      const { bytesWritten } = await this.file.write(
        bytes,
        written,
        bytes.length - written,
        this.size + written,
      )
      written += bytesWritten
    }
    this.size += bytes.length
    const now = this.options.now()
    if (now - this.lastSync >= this.options.syncIntervalMs) {
      this.lastSync = now
      await this.file.datasync()
    }
  }
}

/** Cues first (then sync), header patches second: a crash in between leaves a file that still plays. */
export async function applyPlan(file: FileHandle, plan: FinalizePlan): Promise<void> {
  await file.truncate(plan.truncateTo)
  await file.write(plan.cues, 0, plan.cues.length, plan.truncateTo)
  await file.datasync()
  for (const patch of plan.patches) await file.write(patch.bytes, 0, patch.bytes.length, patch.at)
  await file.datasync()
}

/**
 * Finish a file that a crash left unfinished: stream it through the scanner (constant memory, block payloads
 * skipped), cut any torn tail, then finalise in place. Returns null when there was nothing to do.
 */
export async function finalizeExistingFile(path: string): Promise<FinalizeResult | null> {
  const file = await open(path, 'r+')
  try {
    const scan = new WebmScanner()
    const buffer = new Uint8Array(1024 * 1024)
    for (let position = 0; ;) {
      const { bytesRead } = await file.read(buffer, 0, buffer.length, position)
      if (bytesRead === 0) break
      scan.push(buffer.subarray(0, bytesRead))
      position += bytesRead
    }
    const plan = planFinalize(scan)
    if (!plan) return null
    await applyPlan(file, plan)
    return {
      bytes: plan.truncateTo + plan.cues.length,
      durationMs: plan.durationMs,
      seekable: plan.seekable,
      cuePoints: plan.cuePoints,
    }
  } finally {
    await file.close()
  }
}

export interface HeaderFacts {
  readonly durationMs: number | undefined
  readonly width: number | undefined
  readonly height: number | undefined
  readonly hasVideo: boolean
  readonly hasAudio: boolean
  /** Finalised: Duration present. */
  readonly finalized: boolean
  /** Written by our writer (it reserved room for the SeekHead and Duration), so repair may patch it. */
  readonly ours: boolean
}

/** What the first bytes say (resolution, tracks, Duration if finalised), reading at most 256 KB. */
export async function readHeaderFacts(path: string): Promise<HeaderFacts | null> {
  const file = await open(path, 'r')
  try {
    const buffer = new Uint8Array(256 * 1024)
    const { bytesRead } = await file.read(buffer, 0, buffer.length, 0)
    const scan = new WebmScanner()
    try {
      scan.push(buffer.subarray(0, bytesRead))
    } catch {
      return null
    }
    if (!scan.info) return null
    const video = scan.videoTrack
    return {
      durationMs: scan.info.durationMs,
      width: video?.width,
      height: video?.height,
      hasVideo: video !== undefined,
      hasAudio: scan.tracks.some((t) => t.type === 2),
      finalized: scan.info.durationMs !== undefined,
      ours: scan.reserves.seekHead !== undefined && scan.reserves.duration !== undefined,
    }
  } finally {
    await file.close()
  }
}
