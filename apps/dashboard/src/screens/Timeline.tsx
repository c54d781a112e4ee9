import type { ReactNode } from 'react';
import type { AuditRecord } from '../api';
import { usePoll } from '../app-context';
import { formatValue, groupByCommand } from '../model';

function formatAt(at: string): string {
  return new Date(at).toISOString().replace('T', ' ').slice(0, 23);
}

/** What one audit record changed: the entity, the attribute, from what to what (or the refusal). */
export function Change(props: { record: AuditRecord }): ReactNode {
  const { record } = props;
  const entity = [record.entity.patch, record.entity.object, record.entity.func].filter(Boolean).join(' / ');
  if (record.attribute === 'rejected') {
    return <strong className="error">rejected {record.errno ?? formatValue(record.to)}</strong>;
  }
  return (
    <span>
      <span className="muted">
        {record.entity.kind}
        {entity && ` ${entity}`}
      </span>{' '}
      {record.attribute}: {formatValue(record.from)} → <strong>{formatValue(record.to)}</strong>
    </span>
  );
}

/** One audit record as a line: what changed, from what to what, by whom and through which command. */
export function AuditLine(props: { record: AuditRecord; showHost?: boolean }): ReactNode {
  const { record } = props;
  return (
    <tr className={record.attribute === 'rejected' ? 'rejected' : undefined}>
      <td className="nowrap">{formatAt(record.at)}</td>
      {props.showHost && <td className="nowrap">{record.hostId}</td>}
      <td>v{record.version}</td>
      <td>{record.commandType}</td>
      <td>
        <Change record={record} />
      </td>
      <td className="nowrap">{record.actor}</td>
    </tr>
  );
}

/**
 * The host's history from the audit log, newest first, a line per command with what it changed;
 * "audit not available" while the audit endpoint does not answer.
 */
export function Timeline(props: { hostId: string }): ReactNode {
  const audit = usePoll((api) => api.audit({ hostId: props.hostId }, null, 200), `timeline:${props.hostId}`);
  if (audit.error && !audit.data) {
    return (
      <p className="muted" data-testid="timeline-unavailable">
        audit not available ({audit.error.status || 'no answer'})
      </p>
    );
  }
  if (!audit.data) return <p className="muted">Loading…</p>;
  if (audit.data.items.length === 0) return <p className="muted">No audit record for this host yet.</p>;
  return (
    <table className="list timeline" data-testid="timeline">
      <tbody>
        {groupByCommand(audit.data.items).map((group) => (
          <tr
            key={group.key}
            className={group.changes.some((c) => c.attribute === 'rejected') ? 'rejected' : undefined}
          >
            <td className="nowrap">{formatAt(group.at)}</td>
            <td>v{group.version}</td>
            <td>
              <strong>{group.commandType}</strong>
              <div className="muted">{group.actor}</div>
            </td>
            <td>
              {group.changes.map((record) => (
                <div key={record.index}>
                  <Change record={record} />
                </div>
              ))}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
