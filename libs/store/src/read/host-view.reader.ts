import type { BlockingTask, DerivedState, HostView, ObjectView, PatchView } from '@klp/contracts';
import type { Queryable } from './queryable';

interface HostRow {
  host_id: string;
  version: number;
  kernel_release: string | null;
  loaded_modules: string[];
  stack: string[];
  transition_patch: string | null;
  transition_target: 'patched' | 'unpatched' | null;
  pending_tasks: number | null;
  blocking_tasks: BlockingTask[];
}
interface PatchRow {
  patch: string;
  enabled: boolean;
  forced: boolean;
  state: DerivedState;
}
interface ObjectRow extends Omit<PatchRow, 'enabled' | 'forced'> {
  object: string;
  loaded: boolean;
  patched: boolean;
}
interface FuncRow {
  patch: string;
  object: string;
  func: string;
  patched: boolean;
  transition: boolean;
  state: DerivedState;
}
interface StackRow {
  object: string;
  func: string;
  patches: string[];
}

/**
 * Reads one host's view (DOMAIN.md "The host view") back from the read-model tables: the same
 * JSON, field for field, as the domain's `view` of the same events.
 */
export async function readHostView(db: Queryable, hostId: string): Promise<HostView | null> {
  const hosts = await db.query<HostRow>(
    `SELECT host_id, version, kernel_release, loaded_modules, stack, transition_patch, transition_target,
            pending_tasks, blocking_tasks
       FROM hosts WHERE host_id = $1`,
    [hostId],
  );
  const host = hosts.rows[0];
  if (!host) return null;
  const [patches, objects, funcs, stacks] = await Promise.all([
    db.query<PatchRow>(
      `SELECT patch, enabled, forced, state FROM host_patches WHERE host_id = $1 ORDER BY position`,
      [hostId],
    ),
    db.query<ObjectRow>(
      `SELECT patch, object, loaded, patched, state FROM host_objects WHERE host_id = $1 ORDER BY patch, position`,
      [hostId],
    ),
    db.query<FuncRow>(
      `SELECT patch, object, func, patched, transition, state FROM host_funcs
        WHERE host_id = $1 ORDER BY patch, object, position`,
      [hostId],
    ),
    db.query<StackRow>(
      `SELECT object, func, patches FROM host_func_stacks WHERE host_id = $1 ORDER BY object, func`,
      [hostId],
    ),
  ]);
  return assembleHostView(host, patches.rows, objects.rows, funcs.rows, stacks.rows);
}

function assembleHostView(
  host: HostRow,
  patchRows: PatchRow[],
  objectRows: ObjectRow[],
  funcRows: FuncRow[],
  stackRows: StackRow[],
): HostView {
  const funcsByObject = new Map<
    string,
    Record<string, { patched: boolean; transition: boolean; state: DerivedState }>
  >();
  for (const row of funcRows) {
    const key = `${row.patch}\u0000${row.object}`;
    const funcs = funcsByObject.get(key) ?? {};
    funcs[row.func] = { patched: row.patched, transition: row.transition, state: row.state };
    funcsByObject.set(key, funcs);
  }
  const objectsByPatch = new Map<string, Record<string, ObjectView>>();
  for (const row of objectRows) {
    const objects = objectsByPatch.get(row.patch) ?? {};
    objects[row.object] = {
      loaded: row.loaded,
      patched: row.patched,
      state: row.state,
      funcs: funcsByObject.get(`${row.patch}\u0000${row.object}`) ?? {},
    };
    objectsByPatch.set(row.patch, objects);
  }
  const patches: Record<string, PatchView> = {};
  for (const row of patchRows) {
    patches[row.patch] = {
      enabled: row.enabled,
      forced: row.forced,
      state: row.state,
      objects: objectsByPatch.get(row.patch) ?? {},
    };
  }
  return {
    hostId: host.host_id,
    version: host.version,
    kernelRelease: host.kernel_release,
    loadedModules: [...host.loaded_modules].sort(compareCodePoints),
    transition:
      host.transition_patch && host.transition_target
        ? {
            patch: host.transition_patch,
            target: host.transition_target,
            pendingTasks: host.pending_tasks,
            blockingTasks: host.blocking_tasks,
          }
        : null,
    stack: host.stack,
    patches,
    funcStacks: Object.fromEntries(stackRows.map((row) => [`${row.object}/${row.func}`, row.patches])),
  };
}

// The domain sorts by code point; Postgres and localeCompare may collate differently.
function compareCodePoints(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
