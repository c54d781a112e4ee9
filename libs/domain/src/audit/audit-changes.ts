import type {
  AttributeChange,
  AuditEntity,
  AuditValue,
  HostView,
  ObjectView,
  PatchView,
} from '@klp/contracts';
import { jsonEqual } from '../scenarios/match';

/**
 * Every attribute that differs between two views of one host, in a fixed order: host, modules,
 * transition, then patch by patch (its objects, then their functions), then the func stacks. A view
 * of `null` is a host that does not exist; an absent patch, object or function has `null`
 * attributes, so a registration lists its new attributes and a reboot lists the ones it drops.
 */
export function auditChanges(before: HostView | null, after: HostView | null): AttributeChange[] {
  const changes: AttributeChange[] = [];
  const note = (
    entity: AuditEntity,
    attribute: string,
    from: AuditValue | undefined,
    to: AuditValue | undefined,
  ) => {
    const a = from ?? null;
    const b = to ?? null;
    if (!jsonEqual(a, b)) changes.push({ entity, attribute, from: a, to: b });
  };

  const host: AuditEntity = { kind: 'host' };
  note(host, 'exists', before !== null, after !== null);
  note(host, 'kernelRelease', before?.kernelRelease, after?.kernelRelease);
  note(host, 'stack', before?.stack, after?.stack);

  // Only the modules that changed: a host has a hundred or more, and this runs for every event.
  const modulesBefore = new Set(before?.loadedModules);
  const modulesAfter = new Set(after?.loadedModules);
  const changedModules = [...modulesBefore]
    .filter((module) => !modulesAfter.has(module))
    .concat([...modulesAfter].filter((module) => !modulesBefore.has(module)));
  for (const module of sortedUnion(changedModules, [])) {
    note({ kind: 'module', object: module }, 'loaded', modulesBefore.has(module), modulesAfter.has(module));
  }

  const transition: AuditEntity = { kind: 'transition' };
  const tBefore = before?.transition ?? null;
  const tAfter = after?.transition ?? null;
  note(transition, 'patch', tBefore?.patch, tAfter?.patch);
  note(transition, 'target', tBefore?.target, tAfter?.target);
  note(transition, 'pendingTasks', tBefore?.pendingTasks, tAfter?.pendingTasks);
  note(transition, 'blockingTasks', tBefore?.blockingTasks, tAfter?.blockingTasks);

  for (const patch of orderedUnion(before?.stack ?? [], after?.stack ?? [])) {
    diffPatch(note, patch, patchOf(before, patch), patchOf(after, patch));
  }

  const stacksBefore = before?.funcStacks ?? {};
  const stacksAfter = after?.funcStacks ?? {};
  for (const address of sortedUnion(Object.keys(stacksBefore), Object.keys(stacksAfter))) {
    const slash = address.indexOf('/');
    note(
      { kind: 'funcStack', object: address.slice(0, slash), func: address.slice(slash + 1) },
      'patches',
      own(stacksBefore, address) ?? [],
      own(stacksAfter, address) ?? [],
    );
  }
  return changes;
}

type Note = (
  entity: AuditEntity,
  attribute: string,
  from: AuditValue | undefined,
  to: AuditValue | undefined,
) => void;

function diffPatch(
  note: Note,
  patch: string,
  before: PatchView | undefined,
  after: PatchView | undefined,
): void {
  const entity: AuditEntity = { kind: 'patch', patch };
  note(entity, 'registered', before !== undefined, after !== undefined);
  note(entity, 'enabled', before?.enabled, after?.enabled);
  note(entity, 'forced', before?.forced, after?.forced);
  note(entity, 'state', before?.state, after?.state);
  const objectsBefore = before?.objects ?? {};
  const objectsAfter = after?.objects ?? {};
  for (const object of orderedUnion(Object.keys(objectsBefore), Object.keys(objectsAfter))) {
    diffObject(note, patch, object, own(objectsBefore, object), own(objectsAfter, object));
  }
}

function diffObject(
  note: Note,
  patch: string,
  object: string,
  before: ObjectView | undefined,
  after: ObjectView | undefined,
): void {
  const entity: AuditEntity = { kind: 'object', patch, object };
  note(entity, 'loaded', before?.loaded, after?.loaded);
  note(entity, 'patched', before?.patched, after?.patched);
  note(entity, 'state', before?.state, after?.state);
  const funcsBefore = before?.funcs ?? {};
  const funcsAfter = after?.funcs ?? {};
  for (const func of orderedUnion(Object.keys(funcsBefore), Object.keys(funcsAfter))) {
    const a = own(funcsBefore, func);
    const b = own(funcsAfter, func);
    const funcEntity: AuditEntity = { kind: 'function', patch, object, func };
    note(funcEntity, 'patched', a?.patched, b?.patched);
    note(funcEntity, 'transition', a?.transition, b?.transition);
    note(funcEntity, 'state', a?.state, b?.state);
  }
}

function patchOf(hostView: HostView | null, patch: string): PatchView | undefined {
  return hostView ? own(hostView.patches, patch) : undefined;
}

function own<T>(record: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}

/** `first` in its order, then what only `second` has, in its order (a patch keeps its stack place). */
function orderedUnion(first: readonly string[], second: readonly string[]): string[] {
  const seen = new Set(first);
  return [...first, ...second.filter((name) => !seen.has(name))];
}

function sortedUnion(first: readonly string[], second: readonly string[]): string[] {
  return [...new Set([...first, ...second])].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}
