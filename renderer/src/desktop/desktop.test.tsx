import { act, cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react'
import fc from 'fast-check'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { Route, Router, Switch } from 'wouter'
import { memoryLocation } from 'wouter/memory-location'
import { parseDeepLink, type OpenRoomRequest } from '../../../shared/desktop/deepLink'
import type { UpdateStatus } from '../../../shared/desktop/schemas'
import type { SettingsView } from '../../../shared/settings/schema'
import { RoomCode } from '../../../shared/util/roomCode'

/** Every api call the UI makes, by `namespace.method`: the proof that a link alone does nothing else. */
const calls: string[] = []
const state = vi.hoisted(() => ({
  pending: [] as Array<OpenRoomRequest | null>,
  openRoomListener: null as null | (() => void),
  status: null as unknown,
  update: null as null | ((r: unknown) => Promise<unknown>),
}))
vi.mock('../platform/api', () => {
  const record =
    (name: string, fn: (r: unknown) => unknown = () => ({})) =>
    async (request: unknown) => {
      calls.push(name)
      return fn(request)
    }
  return {
    api: {
      app: {
        takeOpenRoom: record('app.takeOpenRoom', () => ({ request: state.pending.shift() ?? null })),
        onOpenRoom: (listener: () => void) => {
          state.openRoomListener = listener
          return () => (state.openRoomListener = null)
        },
      },
      settings: { update: record('settings.update', (r) => state.update?.(r)) },
      updates: {
        getStatus: record('updates.getStatus', () => state.status),
        check: record('updates.check', () => state.status),
        install: record('updates.install', () => state.status),
        setAutoUpdate: record('updates.setAutoUpdate', () => state.status),
        onStatus: () => () => undefined,
      },
    },
  }
})

const { OpenRoomLinks } = await import('./useOpenRoomLinks')
const { LinkProblem, LinkServerNote, MalformedRoomLink } = await import('./LinkPages')
const { UpdatesCard } = await import('./UpdatesCard')
const { linkStore } = await import('./linkStore')

const settings: SettingsView = {
  displayName: 'Ada',
  backend: 'local',
  cloudflare: { appId: '', turnKeyId: '' },
  worker: { url: '' },
  secrets: {
    callsAppSecret: { configured: false, hint: '' },
    turnApiToken: { configured: false, hint: '' },
    openaiApiKey: { configured: false, hint: '' },
    workerToken: { configured: false, hint: '' },
  },
  storage: { backend: 'keyfile', secure: true, detail: '' },
  insecureStorageAccepted: false,
  notices: [],
} as unknown as SettingsView

/** The app's routes that a link can lead to. */
function Shell({ location }: { readonly location: ReturnType<typeof memoryLocation> }) {
  return (
    <Router hook={location.hook}>
      <OpenRoomLinks />
      <Switch>
        <Route path="/">
          <p>home</p>
        </Route>
        <Route path="/room/:code">
          {(params) => {
            const code = RoomCode.safeParse(params.code)
            return code.success ? (
              <>
                <LinkServerNote room={code.data} settings={settings} />
                {/* Stands in for the lobby (owned by the meeting UI): the route is what a link controls. */}
                <p data-testid="room-code">{code.data}</p>
              </>
            ) : (
              <MalformedRoomLink code={params.code} />
            )
          }}
        </Route>
        <Route path="/link">
          <LinkProblem />
        </Route>
      </Switch>
    </Router>
  )
}

beforeEach(() => {
  calls.length = 0
  state.pending = []
  linkStore.dismissServer()
})
afterEach(cleanup)

describe('deep links in the renderer', () => {
  it('opens the lobby of a link that arrived before the page loaded, and does nothing else', async () => {
    state.pending = [{ kind: 'room', room: 'abc-defg-hjk' }]
    const location = memoryLocation({ path: '/', record: true })
    render(<Shell location={location} />)
    expect(await screen.findByTestId('room-code')).toHaveProperty('textContent', 'abc-defg-hjk')
    expect(location.history).toEqual(['/', '/room/abc-defg-hjk'])
    // Only the link was fetched: no join, no media, no setting, no share.
    expect(calls).toEqual(['app.takeOpenRoom'])
  })

  it('follows a link announced later, and shows why a malformed one cannot open', async () => {
    const location = memoryLocation({ path: '/', record: true })
    render(<Shell location={location} />)
    await waitFor(() => expect(calls).toEqual(['app.takeOpenRoom']))
    state.pending = [parseDeepLink('convene://join/not-a-room')]
    act(() => state.openRoomListener?.())
    expect((await screen.findByTestId('link-problem')).textContent).toMatch(/“not-a-room”, is not valid/)
    expect(location.history.at(-1)).toBe('/link')
  })

  it('explains a malformed /room/ address instead of "not found"', () => {
    const location = memoryLocation({ path: '/room/%E2%80%AEnot-valid', record: true })
    render(<Shell location={location} />)
    const alert = screen.getByRole('alert')
    expect(alert.textContent).toMatch(/“not-valid” is not a Convene room code/)
    expect(alert.textContent).not.toMatch(/\u202e/)
  })

  it('offers the server a link names, and switches only on a click', async () => {
    state.pending = [{ kind: 'room', room: 'abc-defg-hjk', server: 'https://meet.example.org' }]
    state.update = async () => ({})
    render(<Shell location={memoryLocation({ path: '/', record: true })} />)
    const note = await screen.findByTestId('link-server')
    expect(note.textContent).toContain('https://meet.example.org')
    expect(calls).toEqual(['app.takeOpenRoom'])
    fireEvent.click(screen.getByRole('button', { name: 'Use this server' }))
    await waitFor(() => expect(calls).toEqual(['app.takeOpenRoom', 'settings.update']))
    await waitFor(() => expect(screen.queryByTestId('link-server')).toBeNull())
  })

  it('any link the parser accepts leads to its lobby; any other to an explanation (fuzzed)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.string({ maxLength: 60 }),
          fc.string({ maxLength: 30 }).map((s) => `convene://join/${s}`),
        ),
        async (raw) => {
          cleanup()
          calls.length = 0
          const request = parseDeepLink(raw)
          state.pending = [request]
          const location = memoryLocation({ path: '/', record: true })
          render(<Shell location={location} />)
          await waitFor(() => expect(location.history.length).toBe(2))
          expect(location.history[1]).toBe(request.kind === 'room' ? `/room/${request.room}` : '/link')
          expect(calls).toEqual(['app.takeOpenRoom'])
        },
      ),
      { numRuns: 40 },
    )
  })
})

describe('UpdatesCard', () => {
  const base: UpdateStatus = {
    supported: true,
    autoUpdate: true,
    inMeeting: false,
    currentVersion: '0.1.0',
    phase: 'downloaded',
    version: '0.2.0',
    lastCheckedAt: null,
    nextCheckAt: null,
  }

  it('offers "Restart and install" for a downloaded update, but not during a meeting', async () => {
    state.status = { ...base, inMeeting: true }
    render(<UpdatesCard />)
    const button = await screen.findByRole('button', { name: 'Restart and install' })
    expect(button).toHaveProperty('disabled', true)
    expect(screen.getByText('Convene will not restart during a meeting.')).toBeTruthy()
    cleanup()
    state.status = base
    render(<UpdatesCard />)
    fireEvent.click(await screen.findByRole('button', { name: 'Restart and install' }))
    await waitFor(() => expect(calls).toContain('updates.install'))
  })

  it('shows a failure in words and lets the user turn automatic updates off', async () => {
    state.status = {
      ...base,
      phase: 'failed',
      version: undefined,
      message: 'The downloaded update was damaged.',
    }
    render(<UpdatesCard />)
    expect((await screen.findByTestId('update-status')).textContent).toBe(
      'The downloaded update was damaged.',
    )
    fireEvent.click(screen.getByLabelText('Check for updates automatically'))
    await waitFor(() => expect(calls).toContain('updates.setAutoUpdate'))
  })

  it('says plainly when this copy cannot update itself', async () => {
    state.status = { ...base, supported: false, phase: 'idle', version: undefined }
    render(<UpdatesCard />)
    expect((await screen.findByTestId('updates-unsupported')).textContent).toMatch(/cannot update itself/)
  })
})
