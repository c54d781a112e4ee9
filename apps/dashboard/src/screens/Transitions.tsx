import type { ReactNode } from 'react';
import { ErrorLine, Link, navigate, usePoll } from '../app-context';
import { formatDuration } from '../model';

const OLDER_THAN = [
  { value: 'PT0S', label: 'any age' },
  { value: 'PT10S', label: 'older than 10 s' },
  { value: 'PT1M', label: 'older than 1 min' },
  { value: 'PT5M', label: 'older than 5 min' },
  { value: 'PT15M', label: 'older than 15 min' },
  { value: 'PT1H', label: 'older than 1 h' },
];

/** Transitions running now, longest first, with the tasks that keep them from finishing. */
export function Transitions(props: { search: URLSearchParams }): ReactNode {
  const olderThan = props.search.get('olderThan') ?? 'PT0S';
  const transitions = usePoll((api) => api.transitions(olderThan), `transitions:${olderThan}`);
  const items = transitions.data?.items;
  return (
    <section>
      <h1>Transitions</h1>
      <p className="filters">
        <select
          name="olderThan"
          value={olderThan}
          onChange={(event) => navigate(`/transitions?olderThan=${event.target.value}`, true)}
        >
          {OLDER_THAN.map((option) => (
            <option key={option.value} value={option.value}>
              {option.label}
            </option>
          ))}
        </select>
        {items && <span className="muted"> {items.length} running</span>}
      </p>
      <ErrorLine error={transitions.error} />
      <table className="list">
        <thead>
          <tr>
            <th>host</th>
            <th>patch</th>
            <th>target</th>
            <th>running for</th>
            <th>pending tasks</th>
            <th>blocking tasks</th>
          </tr>
        </thead>
        <tbody>
          {items?.map((transition) => (
            <tr key={`${transition.hostId}/${transition.patch}`}>
              <td>
                <Link to={`/hosts/${encodeURIComponent(transition.hostId)}`}>{transition.hostId}</Link>
              </td>
              <td>{transition.patch}</td>
              <td>{transition.target}</td>
              <td>{formatDuration(transition.runningForMs)}</td>
              <td>{transition.pendingTasks ?? '—'}</td>
              <td>
                {transition.blockingTasks.length === 0
                  ? '—'
                  : transition.blockingTasks.map((task) => (
                      <div key={task.pid}>
                        <code>
                          {task.comm}[{task.pid}]
                        </code>
                        {task.function && <span className="muted"> in {task.function}</span>}
                      </div>
                    ))}
              </td>
            </tr>
          ))}
          {items?.length === 0 && (
            <tr>
              <td colSpan={6} className="muted">
                No transition is running{olderThan === 'PT0S' ? '' : ' for that long'}.
              </td>
            </tr>
          )}
        </tbody>
      </table>
    </section>
  );
}
