import { act, cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { AiState } from '../../../../shared/ai/schemas'

type Listener = (payload: unknown) => void
const listeners = new Map<string, Set<Listener>>()
const on = (name: string) => (listener: Listener) => {
  const set = listeners.get(name) ?? new Set()
  listeners.set(name, set.add(listener))
  return () => void set.delete(listener)
}
const fire = (name: string, payload: unknown) => act(() => listeners.get(name)?.forEach((l) => l(payload)))

const baseState: AiState = {
  assistant: true,
  captions: false,
  configured: true,
  model: 'gpt-4o-mini',
  server: '127.0.0.1:4000',
  busy: false,
  pendingActions: [],
  context: { participants: 1, chatMessages: 0, transcriptEntries: 0, agendaItems: 0 },
}
const ai = {
  getState: vi.fn(async () => baseState),
  getTranscript: vi.fn(async () => ({ entries: [] })),
  setEnabled: vi.fn(async (change: Partial<AiState>) => ({ ...baseState, ...change })),
  ask: vi.fn(async (r: { requestId: string }) => ({ requestId: r.requestId })),
  cancel: vi.fn(async () => ({ cancelled: true })),
  resolveAction: vi.fn(async () => ({ outcome: 'done', message: 'Posted to the meeting chat.' })),
  postSummary: vi.fn(async () => ({ posted: true })),
  onDelta: on('delta'),
  onStatus: on('status'),
  onDone: on('done'),
  onError: on('error'),
  onCaption: on('caption'),
  onState: on('state'),
}
vi.mock('../../platform/api', () => ({ api: { ai } }))
vi.mock('wouter', () => ({ Link: (p: { children: unknown }) => p.children }))

const { AssistantPanel } = await import('./AssistantPanel')

afterEach(() => {
  cleanup()
  vi.clearAllMocks()
  listeners.clear()
})

describe('AssistantPanel', () => {
  it('asks, shows streamed text as it arrives, and offers Stop while it runs', async () => {
    render(<AssistantPanel />)
    const box = await screen.findByLabelText('Ask about the meeting')
    fireEvent.change(box, { target: { value: 'When do we ship?' } })
    fireEvent.click(screen.getByRole('button', { name: 'Ask' }))
    await waitFor(() => expect(ai.ask).toHaveBeenCalledTimes(1))
    const { requestId } = ai.ask.mock.calls[0]![0] as { requestId: string; question: string }
    expect(ai.ask.mock.calls[0]![0]).toMatchObject({ kind: 'ask', question: 'When do we ship?' })
    fire('delta', { requestId, text: 'Fri' })
    expect(screen.getByTestId('ai-answer').textContent).toBe('Fri')
    fireEvent.click(screen.getByRole('button', { name: 'Stop' }))
    expect(ai.cancel).toHaveBeenCalledWith({ requestId })
    fire('delta', { requestId, text: 'day.' })
    fire('done', { requestId, finish: 'stop' })
    expect(screen.getByTestId('ai-answer').textContent).toBe('Friday.')
    expect(screen.queryByRole('button', { name: 'Stop' })).toBeNull()
  })

  it('shows a proposed action and runs it only on Confirm', async () => {
    render(<AssistantPanel />)
    await screen.findByLabelText('Ask about the meeting')
    const action = {
      id: 'a1',
      requestId: 'r1',
      tool: 'post_to_chat',
      title: 'Post a message to the meeting chat',
      detail: 'We ship Friday.',
      createdAt: 0,
    }
    fire('state', { ...baseState, pendingActions: [action] })
    expect(screen.getByTestId('ai-action').textContent).toContain('We ship Friday.')
    expect(ai.resolveAction).not.toHaveBeenCalled()
    fireEvent.click(screen.getByRole('button', { name: 'Confirm' }))
    await waitFor(() =>
      expect(ai.resolveAction).toHaveBeenCalledWith({ actionId: 'a1', decision: 'confirm' }),
    )
    expect(await screen.findByTestId('ai-action-outcome')).toHaveProperty(
      'textContent',
      'Posted to the meeting chat.',
    )
  })

  it('shows the failure message of an answer as an alert', async () => {
    render(<AssistantPanel />)
    fireEvent.click(await screen.findByRole('button', { name: 'Catch me up' }))
    const { requestId } = ai.ask.mock.calls[0]![0] as { requestId: string }
    fire('error', {
      requestId,
      reason: 'unauthorized',
      message: 'The AI server rejected the API key.',
      retryable: false,
    })
    expect(screen.getByRole('alert').textContent).toBe('The AI server rejected the API key.')
  })

  it('tells the user everyone is informed, and switches AI off when it leaves the page', async () => {
    const { unmount } = render(<AssistantPanel />)
    expect((await screen.findByTestId('ai-announced')).textContent).toMatch(/Everyone in the meeting is told/)
    fire('state', { ...baseState, captions: true })
    unmount()
    expect(ai.setEnabled).toHaveBeenCalledWith({ assistant: false, captions: false })
  })

  it('in a meeting, closing the panel turns the assistant off but leaves the meeting’s captions on', async () => {
    const { unmount } = render(<AssistantPanel inMeeting />)
    await screen.findByTestId('ai-announced')
    fire('state', { ...baseState, captions: true })
    unmount()
    expect(ai.setEnabled).toHaveBeenCalledWith({ assistant: false })
  })
})
