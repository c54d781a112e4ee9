import type { ReactNode } from 'react';
import { type ApiError, type PatchRollup, STATES } from '../api';
import { ErrorLine, Link, StateBadge } from '../app-context';
import { countsOf, type Sample, totalOf } from '../model';
import { StateChart } from './StateChart';

/** Per patch: how many hosts are in each derived state, live, with the recent history beside it. */
export function FleetOverview(props: {
  rollup: PatchRollup | undefined;
  history: readonly Sample[];
  error: ApiError | undefined;
}): ReactNode {
  const patches = Object.keys(props.rollup ?? {}).sort();
  return (
    <section>
      <h1>Fleet overview</h1>
      <ErrorLine error={props.error} />
      {!props.rollup && !props.error && <p className="muted">Loading…</p>}
      {props.rollup && patches.length === 0 && (
        <p className="muted" data-testid="no-patches">
          No patch is registered on any host yet.
        </p>
      )}
      <div className="cards">
        {patches.map((patch) => {
          const counts = countsOf(props.rollup ?? {}, patch);
          const total = totalOf(counts);
          return (
            <article key={patch} className="card" data-patch={patch}>
              <h2>
                <Link to={`/hosts?patch=${encodeURIComponent(patch)}`}>{patch}</Link>
                <span className="muted"> on {total} hosts</span>
              </h2>
              <div className="bar" aria-hidden="true">
                {STATES.map((state) =>
                  counts[state] > 0 ? (
                    <span
                      key={state}
                      className={`state-${state}`}
                      style={{ flexGrow: counts[state] }}
                      title={`${state}: ${counts[state]}`}
                    />
                  ) : null,
                )}
              </div>
              <table className="counts">
                <tbody>
                  <tr>
                    {STATES.map((state) => (
                      <td key={state}>
                        <Link to={`/hosts?patch=${encodeURIComponent(patch)}&state=${state}`}>
                          <StateBadge state={state} />{' '}
                          <strong className="count" data-state={state}>
                            {counts[state]}
                          </strong>
                        </Link>
                      </td>
                    ))}
                  </tr>
                </tbody>
              </table>
              <StateChart patch={patch} history={props.history} />
            </article>
          );
        })}
      </div>
      <p className="legend">
        {STATES.map((state) => (
          <span key={state}>
            <i className={`swatch state-${state}`} /> {state}
          </span>
        ))}
      </p>
    </section>
  );
}
