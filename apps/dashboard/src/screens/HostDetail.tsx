import { type ReactNode, useState } from 'react';
import type { CommandAnswer } from '../api';
import { ErrorLine, Link, usePoll, useSession } from '../app-context';
import { explainErrno } from '../errno-text';
import { uuidFromBytes } from '../model';
import { type OperatorCommand, PatchTree } from './PatchTree';
import { Timeline } from './Timeline';

interface Sent {
  label: string;
  patch: string;
  answer: CommandAnswer | undefined;
}

/** `GET /v1/hosts/{id}`: the tree, the func stacks, the modules, the timeline and the buttons. */
export function HostDetail(props: { hostId: string }): ReactNode {
  const { api } = useSession();
  const host = usePoll((client) => client.host(props.hostId), `host:${props.hostId}`);
  const [sent, setSent] = useState<Sent | undefined>();
  const view = host.data;

  const send = async (patch: string, type: OperatorCommand, label: string) => {
    setSent({ label, patch, answer: undefined });
    const commandId = uuidFromBytes(crypto.getRandomValues(new Uint8Array(16)));
    const answer = await api.command(props.hostId, type, { patch }, commandId);
    setSent({ label, patch, answer });
    host.refresh();
  };

  return (
    <section>
      <p className="crumbs">
        <Link to="/hosts">Hosts</Link> / {props.hostId}
      </p>
      <h1>{props.hostId}</h1>
      <ErrorLine error={host.error} />
      {view && (
        <>
          <p className="facts">
            kernel <strong>{view.kernelRelease ?? 'unknown'}</strong> · version{' '}
            <strong>{view.version}</strong> ·{' '}
            {view.transition ? (
              <>
                transition <strong>{view.transition.patch}</strong> → {view.transition.target}
                {view.transition.pendingTasks !== null && `, ${view.transition.pendingTasks} pending`}
                {view.transition.blockingTasks.length > 0 &&
                  `, blocked by ${view.transition.blockingTasks
                    .map((task) => `${task.comm}[${task.pid}]${task.function ? ` in ${task.function}` : ''}`)
                    .join(', ')}`}
              </>
            ) : (
              'no transition'
            )}
          </p>
          {sent && <CommandResult sent={sent} />}
          <div className="columns">
            <div>
              <h2>Patches</h2>
              <PatchTree
                view={view}
                busy={sent !== undefined && !sent.answer}
                onCommand={(...a) => void send(...a)}
              />
            </div>
            <div>
              <h2>Func stacks</h2>
              {Object.keys(view.funcStacks).length === 0 ? (
                <p className="muted">No function is patched.</p>
              ) : (
                <table className="list" data-testid="func-stacks">
                  <tbody>
                    {Object.entries(view.funcStacks).map(([func, stack]) => (
                      <tr key={func}>
                        <td>
                          <code>{func}</code>
                        </td>
                        <td>
                          {stack.map((patch, index) => (
                            <span key={patch} className={index === 0 ? 'running' : 'muted'}>
                              {index > 0 && ' ← '}
                              {patch}
                              {index === 0 && ' (running)'}
                            </span>
                          ))}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
              <h2>Loaded modules</h2>
              <p data-testid="modules">
                {view.loadedModules.length ? view.loadedModules.map((m) => <code key={m}>{m} </code>) : '—'}
              </p>
            </div>
          </div>
        </>
      )}
      <h2>Timeline</h2>
      <Timeline hostId={props.hostId} />
    </section>
  );
}

function CommandResult(props: { sent: Sent }): ReactNode {
  const { label, patch, answer } = props.sent;
  const what = `${label} ${patch}`;
  if (!answer) return <p className="result">{what}: sending…</p>;
  switch (answer.status) {
    case 'accepted':
      return (
        <p className="result ok" data-testid="command-result">
          {what}: accepted (host version {answer.version}).
        </p>
      );
    case 'rejected':
      return (
        <div className="result refused" role="alert" data-testid="command-result">
          <strong>
            {what}: refused with {answer.errno}
          </strong>
          <p>{explainErrno(answer.errno)}</p>
          <p className="muted">The decider said: {answer.reason}</p>
        </div>
      );
    case 'pending':
      return (
        <p className="result" data-testid="command-result">
          {what}: sent, not decided yet (command {answer.commandId}).
        </p>
      );
    case 'error':
      return (
        <p className="result refused" role="alert" data-testid="command-result">
          {what}: the api answered {answer.httpStatus}: {answer.reason}
        </p>
      );
  }
}
