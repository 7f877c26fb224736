import { describe, expect, it } from 'vitest'
import {
  layerForTile,
  nextSpeaker,
  resolveLayout,
  SIMULCAST_ENCODINGS,
  type SpeakerState,
  type TileSource,
} from './layout'

const tile = (id: string, joinedAt: number, extra: Partial<TileSource> = {}): TileSource => ({
  id,
  participantId: id.split(':')[0]!,
  kind: 'camera',
  isSelf: false,
  joinedAt,
  ...extra,
})

describe('layout', () => {
  it('keeps join order stable, self last, and puts a share on stage', () => {
    const tiles = [tile('me:camera', 0, { isSelf: true }), tile('b:camera', 2), tile('a:camera', 1)]
    expect(resolveLayout({ tiles, pinnedId: null, activeSpeakerId: null })).toEqual({
      stageId: null,
      gridIds: ['a:camera', 'b:camera', 'me:camera'],
    })
    const withShare = [...tiles, tile('b:screen', 5, { kind: 'screen' })]
    expect(resolveLayout({ tiles: withShare, pinnedId: null, activeSpeakerId: null }).stageId).toBe(
      'b:screen',
    )
    expect(resolveLayout({ tiles: withShare, pinnedId: 'a:camera', activeSpeakerId: null })).toEqual({
      stageId: 'a:camera',
      gridIds: ['b:screen', 'b:camera', 'me:camera'],
    })
  })
  it('ignores a pin on a tile that is gone', () => {
    expect(
      resolveLayout({ tiles: [tile('a:camera', 1)], pinnedId: 'x:camera', activeSpeakerId: null }).stageId,
    ).toBeNull()
  })
})

describe('simulcast layer per tile', () => {
  it('chooses by rendered size, screens full, data saver quarter', () => {
    expect(layerForTile({ widthPx: 1280, heightPx: 720, kind: 'camera', dataSaver: false })).toBe('f')
    expect(layerForTile({ widthPx: 480, heightPx: 270, kind: 'camera', dataSaver: false })).toBe('h')
    expect(layerForTile({ widthPx: 200, heightPx: 112, kind: 'camera', dataSaver: false })).toBe('q')
    expect(layerForTile({ widthPx: 200, heightPx: 112, kind: 'screen', dataSaver: false })).toBe('f')
    expect(layerForTile({ widthPx: 1920, heightPx: 1080, kind: 'camera', dataSaver: true })).toBe('q')
  })
})

describe('simulcast encodings', () => {
  it('go best first, so a source that gets fewer layers keeps the best ones', () => {
    const scales = SIMULCAST_ENCODINGS.map((e) => e.scaleResolutionDownBy)
    expect(scales).toEqual([...scales].sort((a, b) => a - b))
    expect(scales[0]).toBe(1)
    const bitrates = SIMULCAST_ENCODINGS.map((e) => e.maxBitrate)
    expect(bitrates).toEqual([...bitrates].sort((a, b) => b - a))
  })

  it('publish every rid the tile rule can ask for, each once', () => {
    const rids = SIMULCAST_ENCODINGS.map((e) => e.rid)
    expect(new Set(rids).size).toBe(rids.length)
    for (const [w, h] of [
      [1280, 720],
      [620, 349],
      [200, 112],
    ] as const) {
      expect(rids).toContain(layerForTile({ widthPx: w, heightPx: h, kind: 'camera', dataSaver: false }))
    }
  })

  it('pick the half layer for a mid-size tile', () => {
    expect(layerForTile({ widthPx: 620, heightPx: 349, kind: 'camera', dataSaver: false })).toBe('h')
  })
})

describe('active speaker', () => {
  it('switches only after the hold time, and ignores short bursts', () => {
    let s: SpeakerState = { current: 'a', candidate: null }
    s = nextSpeaker(
      s,
      new Map([
        ['a', 0.01],
        ['b', 0.4],
      ]),
      0,
    )
    expect(s.current).toBe('a')
    s = nextSpeaker(
      s,
      new Map([
        ['a', 0.3],
        ['b', 0.1],
      ]),
      300,
    )
    expect(s.candidate).toBeNull()
    s = nextSpeaker(s, new Map([['b', 0.4]]), 400)
    s = nextSpeaker(s, new Map([['b', 0.4]]), 1000)
    expect(s.current).toBe('a')
    s = nextSpeaker(s, new Map([['b', 0.4]]), 1250)
    expect(s.current).toBe('b')
  })
  it('silence keeps the current speaker', () => {
    const s = nextSpeaker(
      { current: 'a', candidate: null },
      new Map([
        ['a', 0],
        ['b', 0.01],
      ]),
      5000,
    )
    expect(s.current).toBe('a')
  })
})
