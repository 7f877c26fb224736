import { Link, Route, Router, Switch } from 'wouter'
import { useHashLocation } from 'wouter/use-hash-location'
import { RoomCode } from '../../shared/util/roomCode'
import { Home } from './components/Home'
import { Notices } from './components/Notices'
import { RoomLobby } from './components/RoomLobby'
import { Settings } from './components/Settings'
import { LinkProblem, LinkServerNote, MalformedRoomLink } from './desktop/LinkPages'
import { UpdateBanner } from './desktop/UpdateBanner'
import { OpenRoomLinks } from './desktop/useOpenRoomLinks'
import { useSettings } from './hooks/useSettings'

export function App() {
  const { settings, error, reload } = useSettings()
  return (
    <Router hook={useHashLocation}>
      <OpenRoomLinks />
      <header className="topbar">
        <Link href="/" className="brand" aria-label="Convene home">
          Convene
        </Link>
        <nav aria-label="Main">
          <Link href="/" className={(active: boolean) => (active ? 'active' : '')}>
            Home
          </Link>
          <Link href="/settings" className={(active: boolean) => (active ? 'active' : '')}>
            Settings
          </Link>
        </nav>
      </header>
      {error && (
        <div className="notice notice-error page" role="alert">
          {error.message}{' '}
          <button type="button" className="link" onClick={reload}>
            Try again
          </button>
        </div>
      )}
      {settings && (
        <>
          <div className="page-notices">
            <Notices notices={settings.notices} />
          </div>
          <UpdateBanner />
          <Switch>
            <Route path="/">
              <Home settings={settings} />
            </Route>
            <Route path="/settings">
              <Settings settings={settings} />
            </Route>
            <Route path="/room/:code">
              {(params) => {
                const code = RoomCode.safeParse(params.code)
                return code.success ? (
                  <>
                    <LinkServerNote room={code.data} settings={settings} />
                    <RoomLobby code={code.data} settings={settings} />
                  </>
                ) : (
                  <MalformedRoomLink code={params.code} />
                )
              }}
            </Route>
            <Route path="/link">
              <LinkProblem />
            </Route>
            <Route>
              <NotFound />
            </Route>
          </Switch>
        </>
      )}
      {!settings && !error && (
        <p className="page" role="status">
          Loading…
        </p>
      )}
    </Router>
  )
}

function NotFound() {
  return (
    <main className="page">
      <h1>Nothing here</h1>
      <p>
        That address is not a Convene page or room. <Link href="/">Go home</Link>.
      </p>
    </main>
  )
}
