import {
  createContext,
  type MouseEvent,
  type ReactNode,
  useCallback,
  useContext,
  useEffect,
  useRef,
  useState,
} from 'react';
import { type Api, ApiError } from './api';
import { liveEvents } from './live-stream';

/** How often every screen asks again; a push from `/v1/stream` makes it ask at once (live-stream.ts). */
export const POLL_MS = 2000;

interface Session {
  api: Api;
  signOut: (reason?: string) => void;
}

export const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside of a signed-in session');
  return session;
}

export interface Polled<T> {
  data: T | undefined;
  error: ApiError | undefined;
  /** When the last answer (or error) arrived. */
  at: number | undefined;
  refresh: () => void;
}

/**
 * Loads now and again every `intervalMs` (one request at a time, never overlapping), and starts
 * over when `key` changes. A 401 ends the session: the token was withdrawn or is wrong.
 */
export function usePoll<T>(load: (api: Api) => Promise<T>, key: string, intervalMs = POLL_MS): Polled<T> {
  const { api, signOut } = useSession();
  const [state, setState] = useState<Omit<Polled<T>, 'refresh'>>({
    data: undefined,
    error: undefined,
    at: undefined,
  });
  const loadRef = useRef(load);
  loadRef.current = load;
  const [tick, setTick] = useState(0);

  useEffect(() => {
    let cancelled = false;
    let inFlight = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    setState({ data: undefined, error: undefined, at: undefined });
    const run = async () => {
      inFlight = true;
      clearTimeout(timer);
      try {
        const data = await loadRef.current(api);
        if (!cancelled) setState({ data, error: undefined, at: Date.now() });
      } catch (error) {
        if (cancelled) return;
        const apiError = error instanceof ApiError ? error : new ApiError(0, String(error));
        if (apiError.status === 401) return signOut('The api no longer accepts this token.');
        setState((previous) => ({ ...previous, error: apiError, at: Date.now() }));
      }
      inFlight = false;
      if (!cancelled) timer = setTimeout(() => void run(), intervalMs);
    };
    const onPush = () => {
      if (!inFlight && !cancelled) void run();
    };
    liveEvents.addEventListener('settled', onPush);
    void run();
    return () => {
      cancelled = true;
      clearTimeout(timer);
      liveEvents.removeEventListener('settled', onPush);
    };
  }, [api, signOut, key, intervalMs, tick]);

  return { ...state, refresh: useCallback(() => setTick((n) => n + 1), []) };
}

/** The current location, updated on pushState navigation and on back/forward. */
export function useLocation(): URL {
  const [href, setHref] = useState(window.location.href);
  useEffect(() => {
    const update = () => setHref(window.location.href);
    window.addEventListener('popstate', update);
    window.addEventListener('klp:navigate', update);
    return () => {
      window.removeEventListener('popstate', update);
      window.removeEventListener('klp:navigate', update);
    };
  }, []);
  return new URL(href);
}

export function navigate(to: string, replace = false): void {
  if (replace) window.history.replaceState(null, '', to);
  else window.history.pushState(null, '', to);
  window.dispatchEvent(new Event('klp:navigate'));
}

export function Link(props: { to: string; children: ReactNode; className?: string }): ReactNode {
  const onClick = (event: MouseEvent<HTMLAnchorElement>) => {
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.button !== 0) return;
    event.preventDefault();
    navigate(props.to);
  };
  return (
    <a href={props.to} className={props.className} onClick={onClick}>
      {props.children}
    </a>
  );
}

export function StateBadge(props: { state: string }): ReactNode {
  return <span className={`badge state-${props.state}`}>{props.state}</span>;
}

export function Flag(props: { name: string; value: boolean }): ReactNode {
  return (
    <span className={`flag ${props.value ? 'on' : 'off'}`} title={`${props.name}: ${props.value}`}>
      {props.name}={props.value ? '1' : '0'}
    </span>
  );
}

/** The error line a screen shows while the last request failed (the screen keeps its old data). */
export function ErrorLine(props: { error: ApiError | undefined }): ReactNode {
  if (!props.error) return null;
  return (
    <p className="error" role="alert">
      {props.error.status ? `${props.error.status}: ` : ''}
      {props.error.message}
    </p>
  );
}
