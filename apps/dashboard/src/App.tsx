import { type ReactNode, useCallback, useEffect, useMemo, useState } from 'react';
import { Api } from './api';
import { Link, SessionContext, useLocation, usePoll, useSession } from './app-context';
import { useLiveStream } from './live-stream';
import { appendSample, type Sample } from './model';
import { Audit } from './screens/Audit';
import { FleetOverview } from './screens/FleetOverview';
import { HostDetail } from './screens/HostDetail';
import { Hosts } from './screens/Hosts';
import { SignIn } from './screens/SignIn';
import { Transitions } from './screens/Transitions';

const TOKEN_KEY = 'klp.token';

/** The token lives in sessionStorage: it is gone when the tab closes, and never in a URL. */
export function App(): ReactNode {
  const [token, setToken] = useState(() => sessionStorage.getItem(TOKEN_KEY));
  const [notice, setNotice] = useState<string | undefined>();
  const signIn = useCallback((value: string) => {
    sessionStorage.setItem(TOKEN_KEY, value);
    setNotice(undefined);
    setToken(value);
  }, []);
  const signOut = useCallback((reason?: string) => {
    sessionStorage.removeItem(TOKEN_KEY);
    setNotice(reason);
    setToken(null);
  }, []);
  const session = useMemo(() => (token ? { api: new Api(token), signOut } : null), [token, signOut]);

  if (!session) return <SignIn onSignIn={signIn} notice={notice} />;
  return (
    <SessionContext.Provider value={session}>
      <Shell onSignOut={() => signOut()} />
    </SessionContext.Provider>
  );
}

const NAV = [
  { to: '/', label: 'Fleet' },
  { to: '/hosts', label: 'Hosts' },
  { to: '/transitions', label: 'Transitions' },
  { to: '/audit', label: 'Audit' },
];

function Shell(props: { onSignOut: () => void }): ReactNode {
  const location = useLocation();
  const path = location.pathname;
  // The rollup is sampled here, on every screen, so the chart has history when one comes back to it.
  const rollup = usePoll((api) => api.patches(), 'patches');
  const live = useLiveStream(useSession().api);
  const [history, setHistory] = useState<Sample[]>([]);
  useEffect(() => {
    const { data, at } = rollup;
    if (data && at) setHistory((previous) => appendSample(previous, { at, patches: data }));
  }, [rollup.data, rollup.at]);

  const section = path === '/' ? '/' : `/${path.split('/')[1]}`;
  return (
    <div className="shell">
      <header>
        <span className="brand">klp-fleet</span>
        <nav>
          {NAV.map((item) => (
            <Link key={item.to} to={item.to} className={section === item.to ? 'active' : undefined}>
              {item.label}
            </Link>
          ))}
        </nav>
        <span
          className={`live ${live}`}
          data-testid="live"
          title={
            live === 'push'
              ? 'pushed by the api (/v1/stream) the moment the read model changes'
              : 'every screen asks the api again every 2 seconds'
          }
        >
          ● {live === 'push' ? 'live' : 'polling'}
        </span>
        <button type="button" className="link" onClick={props.onSignOut}>
          Sign out
        </button>
      </header>
      <main>{route(location, rollup.data, history, rollup.error)}</main>
    </div>
  );
}

function route(
  location: URL,
  rollup: Parameters<typeof FleetOverview>[0]['rollup'],
  history: Sample[],
  error: Parameters<typeof FleetOverview>[0]['error'],
): ReactNode {
  const path = location.pathname;
  if (path === '/' || path === '/index.html')
    return <FleetOverview rollup={rollup} history={history} error={error} />;
  if (path === '/hosts') return <Hosts key={location.search} search={location.searchParams} />;
  if (path.startsWith('/hosts/')) {
    const hostId = decodeURIComponent(path.slice('/hosts/'.length));
    return <HostDetail key={hostId} hostId={hostId} />;
  }
  if (path === '/transitions') return <Transitions search={location.searchParams} />;
  if (path === '/audit') return <Audit key={location.search} search={location.searchParams} />;
  return (
    <section>
      <h1>Not found</h1>
      <p>
        Nothing lives at {path}. <Link to="/">Back to the fleet</Link>.
      </p>
    </section>
  );
}
