import { act, cleanup, fireEvent, render, renderHook, screen, waitFor } from '@testing-library/react'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { RecordingEntry, RoomRecordingState } from '../../../../shared/recording/schemas'
import { useCaptureSourcePicker } from './CaptureSourcePicker'
import { RecordingIndicator } from './RecordingIndicator'
import { RecordingNotice } from './RecordingNotice'
import { RecordingsList } from './RecordingsList'

afterEach(cleanup)

const idle: RoomRecordingState = {
  room: 'abc-defg-hij',
  active: false,
  paused: false,
  byName: '',
  byMe: false,
  allowOthers: true,
  isHost: true,
  canRecord: true,
}
const byGrace: RoomRecordingState = { ...idle, active: true, byName: 'Grace', canRecord: false }

describe('recording indicator and notice', () => {
  it('shows the indicator only while the room records, with who and whether paused', () => {
    const { rerender } = render(<RecordingIndicator state={idle} />)
    expect(screen.queryByTestId('recording-indicator')).toBeNull()
    rerender(<RecordingIndicator state={byGrace} />)
    expect(screen.getByRole('status').textContent).toBe('Recording · Grace')
    rerender(<RecordingIndicator state={{ ...byGrace, paused: true }} />)
    expect(screen.getByRole('status').textContent).toBe('Recording paused · Grace')
    rerender(<RecordingIndicator state={{ ...byGrace, byMe: true }} />)
    expect(screen.getByRole('status').textContent).toBe('Recording · by you')
  })

  it('shows the consent notice to everyone until dismissed, and again for the next recording', () => {
    const { rerender } = render(<RecordingNotice state={byGrace} />)
    expect(screen.getByRole('alert').textContent).toContain('Grace is recording this meeting.')
    fireEvent.click(screen.getByRole('button', { name: 'Dismiss' }))
    expect(screen.queryByRole('alert')).toBeNull()
    rerender(<RecordingNotice state={idle} />)
    rerender(<RecordingNotice state={{ ...byGrace, byMe: true }} />)
    expect(screen.getByRole('alert').textContent).toContain('You are recording this meeting.')
  })
})

describe('recordings list', () => {
  const entry: RecordingEntry = {
    name: 'abc-2026-08-25_14-03-22.webm',
    bytes: 3 * 1024 * 1024,
    modifiedAt: 1,
    durationMs: 61_000,
    width: 1280,
    height: 720,
    status: 'ready',
  }

  function fakeApi() {
    let changed: (payload: Record<string, never>) => void = () => undefined
    let entries = [entry]
    const api = {
      list: vi.fn(async () => ({ folder: '/videos/Convene', entries })),
      delete: vi.fn(async () => {
        entries = []
        changed({})
        return { deleted: true as const }
      }),
      reveal: vi.fn(async () => ({ revealed: true })),
      getLinks: vi.fn(async () => ({ play: 'http://127.0.0.1:1/recordings/x', download: null })),
      onListChanged: (cb: (payload: Record<string, never>) => void) => ((changed = cb), () => undefined),
    }
    return api
  }

  it('lists files with duration, size and resolution; plays one inline', async () => {
    const api = fakeApi()
    render(<RecordingsList api={api} shell="web" />)
    const item = await screen.findByTestId('recording-entry')
    expect(item.textContent).toContain('1:01 · 3.0 MB · 1280×720')
    expect(screen.getByText('Saved in /videos/Convene')).toBeTruthy()
    fireEvent.click(screen.getByRole('button', { name: 'Play' }))
    const player = await screen.findByTestId('recording-player')
    expect(player.getAttribute('src')).toBe('http://127.0.0.1:1/recordings/x')
    // No download URL from this host: say so instead of failing silently.
    fireEvent.click(screen.getByRole('button', { name: 'Download' }))
    expect((await screen.findByRole('alert')).textContent).toContain('Downloading is not available')
  })

  it('deletes only after a second, explicit click', async () => {
    const api = fakeApi()
    render(<RecordingsList api={api} shell="electron" />)
    await screen.findByTestId('recording-entry')
    fireEvent.click(screen.getByRole('button', { name: 'Show in folder' }))
    await waitFor(() => expect(api.reveal).toHaveBeenCalledWith({ name: entry.name }))
    fireEvent.click(screen.getByRole('button', { name: 'Delete' }))
    expect(api.delete).not.toHaveBeenCalled()
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Delete for good' })))
    expect(api.delete).toHaveBeenCalledWith({ name: entry.name })
    expect(await screen.findByText('No recordings yet.')).toBeTruthy()
  })
})

describe('capture source picker', () => {
  it('resolves with the picked screen, or null when cancelled', async () => {
    const { result, rerender } = renderHook(() => useCaptureSourcePicker())
    const sources = [
      { id: 'screen:1:0', name: 'Entire screen', kind: 'screen' as const, thumbnail: '' },
      { id: 'window:42:0', name: 'Slides', kind: 'window' as const, thumbnail: '' },
    ]
    let picked: Promise<string | null> = Promise.resolve(null)
    act(() => void (picked = result.current.choose(sources)))
    rerender()
    const view = render(<>{result.current.picker}</>)
    expect(screen.getByRole('dialog', { name: 'Choose what to record' })).toBeTruthy()
    fireEvent.click(screen.getByRole('button', { name: 'Slides' }))
    expect(await picked).toBe('window:42:0')
    view.unmount()
    act(() => void (picked = result.current.choose(sources)))
    rerender()
    render(<>{result.current.picker}</>)
    fireEvent.click(screen.getByRole('button', { name: 'Cancel' }))
    expect(await picked).toBeNull()
  })
})
