import { act, cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { AiState, TranscriptEntry } from '../../../shared/ai/schemas'
import type { MeetingSnapshot } from '../meeting/MeetingController'

type Listener = (payload: unknown) => void
const listeners = new Map<string, Set<Listener>>()
const on = (name: string) => (listener: Listener) => {
  const set = listeners.get(name) ?? new Set()
  listeners.set(name, set.add(listener))
  return () => void set.delete(listener)
}
const fire = (name: string, payload: unknown) => act(() => listeners.get(name)?.forEach((l) => l(payload)))

let current: AiState = {
  assistant: false,
  captions: false,
  configured: true,
  model: 'gpt-4o-mini',
  server: '127.0.0.1:4000',
  busy: false,
  pendingActions: [],
  context: { participants: 2, chatMessages: 0, transcriptEntries: 0, agendaItems: 0 },
}
const ai = {
  getState: vi.fn(async () => current),
  setEnabled: vi.fn(async (change: Partial<AiState>) => (current = { ...current, ...change })),
  transcribeChunk: vi.fn(async () => ({ entry: null })),
  onCaption: on('caption'),
  onState: on('state'),
}
vi.mock('../platform/api', () => ({ api: { ai } }))

const { useLiveCaptions } = await import('./useLiveCaptions')
const { CaptionsButton, CaptionsOverlay } = await import('./LiveCaptions')

const snapshot = (phase: MeetingSnapshot['phase']) =>
  ({
    phase,
    view: { participants: [] },
    me: 'me',
    remote: new Map(),
    localMic: null,
  }) as unknown as MeetingSnapshot

function Meeting({ phase }: { readonly phase: MeetingSnapshot['phase'] }) {
  const captions = useLiveCaptions(snapshot(phase))
  return (
    <>
      <CaptionsButton captions={captions} />
      <CaptionsOverlay captions={captions} />
    </>
  )
}

const entry = (id: string, speaker: string, text: string, startMs: number): TranscriptEntry => ({
  id,
  participantId: speaker.toLowerCase(),
  speaker,
  startMs,
  endMs: startMs + 4000,
  text,
})

afterEach(() => {
  cleanup()
  vi.clearAllMocks()
  listeners.clear()
  current = { ...current, captions: false }
})

describe('live captions in the meeting', () => {
  it('a labelled toggle turns captions on; lines show speaker, time and text in a polite live region', async () => {
    render(<Meeting phase="in-meeting" />)
    const toggle = await screen.findByRole('button', { name: 'Live captions' })
    await waitFor(() => expect(toggle.hasAttribute('disabled')).toBe(false))
    expect(toggle.getAttribute('aria-pressed')).toBe('false')
    fireEvent.click(toggle)
    await waitFor(() => expect(toggle.getAttribute('aria-pressed')).toBe('true'))
    expect(ai.setEnabled).toHaveBeenCalledWith({ captions: true })
    expect(screen.getByText('Captions appear here as people speak.')).toBeTruthy()

    fire('caption', entry('b', 'Bob', 'second', 2000))
    fire('caption', entry('a', 'Grace', 'first', 1000))
    const lines = screen.getAllByTestId('caption-line')
    expect(lines.map((l) => l.getAttribute('data-speaker'))).toEqual(['Grace', 'Bob'])
    expect(lines[0]!.textContent).toMatch(/^Grace .+ first$/)
    expect(lines[0]!.closest('[aria-live="polite"]')).not.toBeNull()
    expect(lines[0]!.querySelector('time')?.getAttribute('dateTime')).toBe(new Date(1000).toISOString())
  })

  it('when this browser cannot listen, the captions area says so and the meeting goes on', async () => {
    current = { ...current, captions: true }
    render(<Meeting phase="in-meeting" />)
    // happy-dom has no AudioContext: the failure is shown where captions would be.
    expect((await screen.findByTestId('captions-problem')).textContent).toMatch(/Captions cannot listen here/)
    expect(screen.getByRole('button', { name: 'Live captions' })).toBeTruthy()
  })

  it('leaving the meeting turns captions off (nobody stays announced)', async () => {
    current = { ...current, captions: true }
    const { rerender } = render(<Meeting phase="in-meeting" />)
    await waitFor(() =>
      expect(screen.getByRole('button', { name: 'Live captions' }).getAttribute('aria-pressed')).toBe('true'),
    )
    rerender(<Meeting phase="left" />)
    expect(ai.setEnabled).toHaveBeenCalledWith({ captions: false })
  })

  it('without a key the toggle is disabled and says why; a stored key enables it', async () => {
    render(<Meeting phase="in-meeting" />)
    const toggle = await screen.findByRole('button', { name: 'Live captions' })
    await waitFor(() => expect(toggle.hasAttribute('disabled')).toBe(false))
    fire('state', { ...current, configured: false })
    expect(toggle.hasAttribute('disabled')).toBe(true)
    expect(toggle.getAttribute('title')).toMatch(/Add an OpenAI API key/)
    fire('state', { ...current, configured: true })
    expect(toggle.hasAttribute('disabled')).toBe(false)
  })
})
