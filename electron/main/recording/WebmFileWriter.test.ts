import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { tempDir } from '../../../test/helpers/services'
import { syntheticWebm } from '../../../test/helpers/webmFixture'
import { Id, readId, readUint } from './ebml'
import { planFinalize } from './webmLayout'
import { finalizeExistingFile, readHeaderFacts, WebmFileWriter } from './WebmFileWriter'
import { forEachChild, WebmScanner } from './WebmScanner'

const chromium = readFileSync('test/fixtures/recording/chromium-vp9-opus-alpha.webm')

async function writeInChunks(path: string, bytes: Uint8Array, chunk: number): Promise<WebmFileWriter> {
  const writer = await WebmFileWriter.create(path, { syncIntervalMs: 60_000 })
  for (let at = 0; at < bytes.length; at += chunk) await writer.append(bytes.subarray(at, at + chunk))
  return writer
}

/** Check a finalised file the way a player would: sizes add up, SeekHead entries point at their elements. */
function expectFinalised(file: Uint8Array) {
  const scan = new WebmScanner()
  scan.push(file)
  const segment = scan.segment!
  // Segment size now known and exact; every Cluster size known.
  expect(readUint(file, segment.sizeAt + 1, 7)).toBe(file.length - segment.dataStart)
  const rescan = new WebmScanner()
  rescan.push(file)
  expect(rescan.clusters.every((c) => c.sizeKnown)).toBe(true)
  expect(scan.cuesSpan?.end).toBe(file.length)
  expect(planFinalize(scan)).toBeNull()
  // SeekHead sits where the Void was and points at Info, Tracks and Cues.
  const head = readId(file, segment.dataStart)!
  expect(head.value).toBe(Id.SeekHead)
  const targets: number[] = []
  const body = file.subarray(
    segment.dataStart + 5,
    segment.dataStart + 5 + file[segment.dataStart + 4]! - 0x80,
  )
  forEachChild(body, (id, at, length) => {
    expect(id).toBe(Id.Seek)
    const seek = body.subarray(at, at + length)
    let target = 0
    let position = 0
    forEachChild(seek, (cid, cat, clen) => {
      if (cid === Id.SeekID) target = readUint(seek, cat, clen)
      if (cid === Id.SeekPosition) position = readUint(seek, cat, clen)
    })
    expect(readId(file, segment.dataStart + position)?.value).toBe(target)
    targets.push(target)
  })
  expect(targets).toEqual([Id.Info, Id.Tracks, Id.Cues])
  return scan
}

describe('WebmFileWriter', () => {
  it('finalises in place: Duration, Cues, SeekHead and real sizes, whatever the chunking', async () => {
    const dir = tempDir()
    let runs = 0
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 97, max: 40_000 }), async (chunk) => {
        const path = join(dir, `c${chunk}-${++runs}.webm`)
        const writer = await writeInChunks(path, chromium, chunk)
        const result = await writer.finalize()
        const file = readFileSync(path)
        expect(result.bytes).toBe(file.length)
        expect(result.seekable).toBe(true)
        const scan = expectFinalised(file)
        expect(scan.info?.durationMs).toBeCloseTo(result.durationMs, 3)
        expect(result.durationMs).toBeGreaterThan(2400)
        // Media bytes are untouched: same blocks, same times, same keyframes.
        const original = new WebmScanner()
        original.push(chromium)
        expect(scan.clusters.map((c) => [c.timecode, c.keyframeTime])).toEqual(
          original.clusters.map((c) => [c.timecode, c.keyframeTime]),
        )
        expect(result.cuePoints).toBe(original.clusters.filter((c) => c.keyframeTime !== undefined).length)
      }),
      { numRuns: 15 },
    )
  })

  it('writes the header reservations up front, so a file cut anywhere still parses', async () => {
    const path = join(tempDir(), 'live.webm')
    const writer = await writeInChunks(path, chromium, 4096)
    const live = readFileSync(path)
    await writer.abort()
    const scan = new WebmScanner()
    scan.push(live)
    expect(scan.reserves.seekHead).toBeDefined()
    expect(scan.reserves.duration).toBeDefined()
    expect(scan.info?.durationMs).toBeUndefined()
    expect(await readHeaderFacts(path)).toMatchObject({
      finalized: false,
      ours: true,
      width: 160,
      height: 90,
    })
  })

  it('repairs a file torn by a crash: cuts the torn tail and finalises', async () => {
    const dir = tempDir()
    const bytes = syntheticWebm({ seconds: 6, keyframeEveryMs: 2000 })
    const path = join(dir, 'torn.webm')
    const writer = await writeInChunks(path, bytes, 10_000)
    await writer.abort()
    const written = readFileSync(path)
    // A crash mid-write: the last element is incomplete.
    writeFileSync(path, written.subarray(0, written.length - 777))
    const result = await finalizeExistingFile(path)
    expect(result?.seekable).toBe(true)
    const file = readFileSync(path)
    const scan = expectFinalised(file)
    expect(result!.durationMs).toBeGreaterThan(5800)
    expect(scan.clusters.map((c) => c.keyframeTime)).toEqual([0, undefined, 2000, undefined, 4000, undefined])
    // Repair is idempotent.
    expect(await finalizeExistingFile(path)).toBeNull()
    expect(readFileSync(path)).toEqual(file)
    expect(await readHeaderFacts(path)).toMatchObject({ finalized: true, durationMs: result!.durationMs })
  })

  it('keeps a stream it cannot parse as it came (playable, not seekable)', async () => {
    const path = join(tempDir(), 'odd.webm')
    const writer = await WebmFileWriter.create(path)
    const junk = new TextEncoder().encode('not a webm at all')
    await writer.append(junk)
    const result = await writer.finalize()
    expect(result).toMatchObject({ seekable: false, bytes: junk.length })
    expect(readFileSync(path)).toEqual(Buffer.from(junk))
  })

  it('never overwrites an existing file', async () => {
    const path = join(tempDir(), 'taken.webm')
    writeFileSync(path, 'x')
    await expect(WebmFileWriter.create(path)).rejects.toMatchObject({ code: 'EEXIST' })
  })
})
