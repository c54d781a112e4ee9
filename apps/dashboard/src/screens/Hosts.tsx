import { type FormEvent, type ReactNode, useState } from 'react';
import { STATES } from '../api';
import { ErrorLine, Link, navigate, usePoll } from '../app-context';

const FILTERS = ['q', 'patch', 'state', 'kernel'] as const;

/**
 * Hosts, one page of 25 at a time, filtered on the server (id prefix, patch, state, kernel) and
 * paged with the api's cursor, so the screen works the same at ten hosts or ten thousand. The
 * filters and the cursor live in the URL, so a page can be shared and back/forward works.
 */
export function Hosts(props: { search: URLSearchParams }): ReactNode {
  const filter = Object.fromEntries(FILTERS.map((name) => [name, props.search.get(name) ?? undefined]));
  const cursor = props.search.get('cursor');
  const trail = (props.search.get('trail') ?? '').split('.').filter(Boolean);
  const key = props.search.toString();
  const page = usePoll((api) => api.hosts(filter, cursor), key);
  const patches = usePoll((api) => api.patches(), 'patch-names', 10_000);
  const [draft, setDraft] = useState<Record<string, string>>(() =>
    Object.fromEntries(FILTERS.map((name) => [name, props.search.get(name) ?? ''])),
  );

  const go = (changes: Record<string, string | undefined>) => {
    const next = new URLSearchParams(props.search);
    for (const [name, value] of Object.entries(changes)) {
      if (value) next.set(name, value);
      else next.delete(name);
    }
    navigate(`/hosts${next.size ? `?${next.toString()}` : ''}`);
  };
  const apply = (event: FormEvent) => {
    event.preventDefault();
    go({ ...draft, cursor: undefined, trail: undefined });
  };
  const next = () =>
    page.data?.nextCursor && go({ cursor: page.data.nextCursor, trail: [...trail, cursor ?? '0'].join('.') });
  const previous = () => {
    const back = trail[trail.length - 1];
    go({ cursor: back && back !== '0' ? back : undefined, trail: trail.slice(0, -1).join('.') || undefined });
  };
  const set = (name: string) => (event: { target: { value: string } }) =>
    setDraft((old) => ({ ...old, [name]: event.target.value }));

  return (
    <section>
      <h1>Hosts</h1>
      <form className="filters" onSubmit={apply}>
        <input placeholder="host id starts with…" name="q" value={draft.q} onChange={set('q')} />
        <select name="patch" value={draft.patch} onChange={set('patch')}>
          <option value="">any patch</option>
          {Object.keys(patches.data ?? {})
            .sort()
            .map((name) => (
              <option key={name}>{name}</option>
            ))}
        </select>
        <select name="state" value={draft.state} onChange={set('state')}>
          <option value="">any state</option>
          {STATES.map((state) => (
            <option key={state}>{state}</option>
          ))}
        </select>
        <input placeholder="kernel release" name="kernel" value={draft.kernel} onChange={set('kernel')} />
        <button type="submit">Filter</button>
      </form>
      <ErrorLine error={page.error} />
      <table className="list">
        <thead>
          <tr>
            <th>host</th>
            <th>kernel</th>
            <th>patches</th>
            <th>transition</th>
            <th>version</th>
          </tr>
        </thead>
        <tbody>
          {page.data?.items.map((host) => (
            <tr key={host.hostId}>
              <td>
                <Link to={`/hosts/${encodeURIComponent(host.hostId)}`}>{host.hostId}</Link>
              </td>
              <td>{host.kernelRelease ?? '—'}</td>
              <td>{host.patches}</td>
              <td>
                {host.transition
                  ? `${host.transition.patch} → ${host.transition.target}` +
                    (host.transition.pendingTasks === null
                      ? ''
                      : ` (${host.transition.pendingTasks} pending)`)
                  : '—'}
              </td>
              <td>{host.version}</td>
            </tr>
          ))}
          {page.data?.items.length === 0 && (
            <tr>
              <td colSpan={5} className="muted">
                No host matches.
              </td>
            </tr>
          )}
        </tbody>
      </table>
      <div className="pager">
        <button type="button" onClick={previous} disabled={!cursor}>
          ← Previous
        </button>
        <span className="muted">page {trail.length + 1}</span>
        <button type="button" onClick={next} disabled={!page.data?.nextCursor}>
          Next →
        </button>
      </div>
    </section>
  );
}
