import { type FormEvent, type ReactNode, useState } from 'react';
import type { VerifyResult } from '../api';
import { ErrorLine, navigate, usePoll, useSession } from '../app-context';
import { AuditLine } from './Timeline';

const FILTERS = ['hostId', 'patch', 'actor', 'commandId', 'since', 'until'] as const;

/** The audit log, filtered on the server and paged; a verify button per host and an NDJSON export. */
export function Audit(props: { search: URLSearchParams }): ReactNode {
  const { api } = useSession();
  const filter = Object.fromEntries(FILTERS.map((name) => [name, props.search.get(name) ?? undefined]));
  const cursor = props.search.get('cursor');
  const audit = usePoll((client) => client.audit(filter, cursor), `audit:${props.search.toString()}`);
  const [draft, setDraft] = useState<Record<string, string>>(() =>
    Object.fromEntries(FILTERS.map((name) => [name, props.search.get(name) ?? ''])),
  );
  const [verified, setVerified] = useState<Record<string, VerifyResult | string>>({});
  const [exportError, setExportError] = useState<string | undefined>();

  const apply = (event: FormEvent) => {
    event.preventDefault();
    const next = new URLSearchParams();
    for (const [name, value] of Object.entries(draft)) if (value) next.set(name, value);
    navigate(`/audit${next.size ? `?${next.toString()}` : ''}`);
  };
  const verify = async (hostId: string) => {
    const result = await api.verify(hostId).catch((error: Error) => error.message);
    setVerified((old) => ({ ...old, [hostId]: result }));
  };
  const exportNdjson = async () => {
    setExportError(undefined);
    try {
      const text = await api.auditNdjson(filter);
      const url = URL.createObjectURL(new Blob([text], { type: 'application/x-ndjson' }));
      const link = document.createElement('a');
      link.href = url;
      link.download = `klp-audit-${new Date().toISOString().slice(0, 19)}.ndjson`;
      link.click();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (error) {
      setExportError((error as Error).message);
    }
  };

  if (audit.error && !audit.data) {
    return (
      <section>
        <h1>Audit</h1>
        <p className="muted" data-testid="audit-unavailable">
          audit not available ({audit.error.status || 'no answer'}: {audit.error.message})
        </p>
      </section>
    );
  }
  const hosts = [...new Set(audit.data?.items.map((record) => record.hostId) ?? [])];
  return (
    <section>
      <h1>Audit</h1>
      <form className="filters" onSubmit={apply}>
        {FILTERS.map((name) => (
          <input
            key={name}
            name={name}
            placeholder={name === 'since' || name === 'until' ? `${name} (ISO-8601)` : name}
            value={draft[name]}
            onChange={(event) => setDraft((old) => ({ ...old, [name]: event.target.value }))}
          />
        ))}
        <button type="submit">Filter</button>
        <a
          href="/v1/audit"
          onClick={(event) => {
            event.preventDefault();
            void exportNdjson();
          }}
        >
          Export NDJSON
        </a>
      </form>
      {exportError && <p className="error">{exportError}</p>}
      <ErrorLine error={audit.error} />
      {hosts.length > 0 && (
        <p className="verify">
          {hosts.map((hostId) => {
            const result = verified[hostId];
            return (
              <span key={hostId}>
                <button type="button" onClick={() => void verify(hostId)}>
                  Verify {hostId}
                </button>{' '}
                {typeof result === 'string' && <span className="error">{result}</span>}
                {result && typeof result === 'object' && (
                  <span className={result.ok ? 'running' : 'error'}>
                    {result.ok
                      ? `chain intact (${result.records} records)`
                      : `broken at version ${result.firstBrokenVersion}`}
                  </span>
                )}
              </span>
            );
          })}
        </p>
      )}
      <table className="list">
        <tbody>
          {audit.data?.items.map((record) => (
            <AuditLine key={`${record.hostId}.${record.version}.${record.index}`} record={record} showHost />
          ))}
        </tbody>
      </table>
      <div className="pager">
        <button type="button" onClick={() => window.history.back()} disabled={!cursor}>
          ← Previous
        </button>
        <button
          type="button"
          disabled={!audit.data?.nextCursor}
          onClick={() => {
            const next = new URLSearchParams(props.search);
            next.set('cursor', audit.data?.nextCursor ?? '');
            navigate(`/audit?${next.toString()}`);
          }}
        >
          Next →
        </button>
      </div>
    </section>
  );
}
