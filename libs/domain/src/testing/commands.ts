import type { CommandEnvelope } from '@klp/contracts';

/**
 * Builders of the commands of DOMAIN.md for specs: only what a test cares about, the envelope is
 * filled in by {@link envelope}. Payloads are `unknown` so that a spec can send any JSON.
 */
export interface TestCommand {
  readonly type: string;
  readonly payload?: unknown;
  readonly hostId?: string;
  readonly commandId?: string;
  readonly expectedVersion?: unknown;
  readonly correlationId?: string;
  readonly actor?: string;
  readonly issuedAt?: string;
}

export const KERNEL = '4.19.0-27-amd64';
export const ISSUED_AT = '2026-11-27T10:00:00.000Z';

type Funcs = readonly { name: string; sympos?: number }[];

export const vmlinux = (...funcs: string[]): { name: string; funcs: Funcs } => ({
  name: 'vmlinux',
  funcs: funcs.map((name) => ({ name })),
});

export const object = (name: string, ...funcs: string[]): { name: string; funcs: Funcs } => ({
  name,
  funcs: funcs.map((func) => ({ name: func })),
});

export const boot = (modules: readonly string[] = [], kernelRelease = KERNEL): TestCommand => ({
  type: 'HostBooted',
  payload: { kernelRelease, modules },
});

export const register = (name: string, ...objects: unknown[]): TestCommand => ({
  type: 'RegisterPatch',
  payload: { name, objects: objects.length > 0 ? objects : [vmlinux('cmdline_proc_show')] },
});

const patchCommand =
  (type: string) =>
  (patch: unknown): TestCommand => ({ type, payload: { patch } });

export const enable = patchCommand('EnablePatch');
export const disable = patchCommand('DisablePatch');
export const unregister = patchCommand('UnregisterPatch');
export const force = patchCommand('ForceTransition');
export const patchComplete = patchCommand('PatchComplete');
export const unpatchComplete = patchCommand('UnpatchComplete');

export const coming = (module: unknown): TestCommand => ({ type: 'ModuleComing', payload: { module } });
export const going = (module: unknown): TestCommand => ({ type: 'ModuleGoing', payload: { module } });

export const enableFailed = (patch: unknown, errno: unknown = 'ENODEV'): TestCommand => ({
  type: 'EnableFailed',
  payload: { patch, errno },
});

export const progress = (patch: unknown, pendingTasks: unknown, blockingTasks?: unknown): TestCommand => ({
  type: 'TransitionProgress',
  payload: blockingTasks === undefined ? { patch, pendingTasks } : { patch, pendingTasks, blockingTasks },
});

/** A command with envelope fields changed, e.g. `withId(enable('p1'), 'c-1')`. */
export const withEnvelope = (command: TestCommand, fields: Partial<TestCommand>): TestCommand => ({
  ...command,
  ...fields,
});

export const withId = (command: TestCommand, commandId: string): TestCommand =>
  withEnvelope(command, { commandId });

/** The full envelope as the edge would send it. */
export function envelope(command: TestCommand, commandId: string, hostId = 'h1'): CommandEnvelope {
  return {
    hostId,
    actor: 'ops@test',
    issuedAt: ISSUED_AT,
    commandId,
    ...command,
  } as unknown as CommandEnvelope;
}
