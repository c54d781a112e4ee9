import type { ReactNode } from 'react';
import type { HostView } from '../api';
import { Flag, StateBadge } from '../app-context';
import { funcStackOf, reverseCommand } from '../model';

export type OperatorCommand = 'EnablePatch' | 'DisablePatch' | 'ForceTransition';

/**
 * patch → object → function, each with the kernel's booleans (as sysfs shows them) and the state
 * derived from them side by side, and per patch the operator's buttons. Enable, Disable and Force
 * are never greyed out by what the screen believes: the decider judges, and a refusal is shown in
 * words. Reverse is offered only for the patch in transition (it has no command otherwise).
 */
export function PatchTree(props: {
  view: HostView;
  busy: boolean;
  onCommand: (patch: string, type: OperatorCommand, label: string) => void;
}): ReactNode {
  const { view } = props;
  const names = [...view.stack, ...Object.keys(view.patches).filter((name) => !view.stack.includes(name))];
  if (names.length === 0) return <p className="muted">No patch is registered on this host.</p>;
  return (
    <ul className="tree" data-testid="patch-tree">
      {names.map((name) => {
        const patch = view.patches[name];
        if (!patch) return null;
        const reverse = reverseCommand(view, name);
        const button = (type: OperatorCommand, label: string, disabled = false) => (
          <button
            type="button"
            disabled={props.busy || disabled}
            onClick={() => props.onCommand(name, type, label)}
            data-command={label}
          >
            {label}
          </button>
        );
        return (
          <li key={name} className="patch" data-patch={name}>
            <div className="node">
              <strong>{name}</strong>
              <Flag name="enabled" value={patch.enabled} />
              <Flag name="forced" value={patch.forced} />
              <StateBadge state={patch.state} />
              {view.transition?.patch === name && (
                <span className="muted">
                  in transition to {view.transition.target}
                  {view.transition.pendingTasks !== null && `, ${view.transition.pendingTasks} tasks pending`}
                </span>
              )}
              <span className="actions">
                {button('EnablePatch', 'Enable')}
                {button('DisablePatch', 'Disable')}
                {button('ForceTransition', 'Force')}
                {button(reverse ?? 'EnablePatch', 'Reverse', reverse === null)}
              </span>
            </div>
            <ul>
              {Object.entries(patch.objects).map(([objectName, object]) => (
                <li key={objectName} className="object">
                  <div className="node">
                    <span className="kind">object</span> {objectName}
                    <Flag name="loaded" value={object.loaded} />
                    <Flag name="patched" value={object.patched} />
                    <StateBadge state={object.state} />
                  </div>
                  <ul>
                    {Object.entries(object.funcs).map(([funcName, func]) => {
                      const stack = funcStackOf(view, objectName, funcName);
                      return (
                        <li key={funcName} className="func">
                          <div className="node">
                            <span className="kind">func</span> <code>{funcName}</code>
                            <Flag name="patched" value={func.patched} />
                            <Flag name="transition" value={func.transition} />
                            <StateBadge state={func.state} />
                            {stack[0] && (
                              <span className={stack[0] === name ? 'running' : 'muted'}>
                                runs {stack[0] === name ? 'this patch' : stack[0]}
                              </span>
                            )}
                          </div>
                        </li>
                      );
                    })}
                  </ul>
                </li>
              ))}
            </ul>
          </li>
        );
      })}
    </ul>
  );
}
