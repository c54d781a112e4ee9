import { view } from '@klp/domain';
import type { ProjectedHost } from './projected-host';
import { HOSTS, HOST_FUNCS, HOST_OBJECTS, HOST_PATCHES, type Row, type TableSpec } from './tables';

/**
 * One host's rows in the four view tables, keyed within the host. They are computed from the
 * domain's `view`, flag for flag and state for state, so a reader that reads them back gets the
 * domain's view; the positions come from the state (registration order).
 */
export interface HostRows {
  readonly host: Row | null;
  readonly patches: ReadonlyMap<string, Row>;
  readonly objects: ReadonlyMap<string, Row>;
  readonly funcs: ReadonlyMap<string, Row>;
}

// A separator no name can hold (patch, object and function names are [A-Za-z0-9_.$-]).
const SEP = '\u0000';

export function hostRows(host: ProjectedHost): HostRows {
  const patches = new Map<string, Row>();
  const objects = new Map<string, Row>();
  const funcs = new Map<string, Row>();
  const hostView = view(host.state);
  if (hostView === null) return { host: null, patches, objects, funcs };
  const { hostId, transition } = hostView;
  const row: Row = [
    hostId,
    hostView.version,
    hostView.kernelRelease,
    hostView.loadedModules,
    hostView.stack,
    transition?.patch ?? null,
    transition?.target ?? null,
    transition?.pendingTasks ?? null,
    transition?.blockingTasks ?? [],
    host.transitionSince,
    host.createdAt,
    host.updatedAt,
  ];
  host.state.stack.forEach((patch, position) => {
    const patchView = hostView.patches[patch.name];
    patches.set(patch.name, [
      hostId,
      patch.name,
      position,
      patchView.enabled,
      patchView.forced,
      patchView.state,
    ]);
    patch.objects.forEach((object, objectPosition) => {
      const objectView = patchView.objects[object.name];
      const objectKey = `${patch.name}${SEP}${object.name}`;
      objects.set(objectKey, [
        hostId,
        patch.name,
        object.name,
        objectPosition,
        objectView.loaded,
        objectView.patched,
        objectView.state,
      ]);
      object.funcs.forEach((func, funcPosition) => {
        const funcView = objectView.funcs[func];
        funcs.set(`${objectKey}${SEP}${func}`, [
          hostId,
          patch.name,
          object.name,
          func,
          funcPosition,
          funcView.patched,
          funcView.transition,
          funcView.state,
        ]);
      });
    });
  });
  return { host: row, patches, objects, funcs };
}

/** What to write so that the tables go from one host's rows to another's. */
export interface RowChanges {
  readonly upserts: Map<TableSpec, Row[]>;
  readonly deletes: Map<TableSpec, Row[]>;
}

export function emptyChanges(): RowChanges {
  return { upserts: new Map(), deletes: new Map() };
}

const same = (a: Row, b: Row) => JSON.stringify(a) === JSON.stringify(b);

function push(map: Map<TableSpec, Row[]>, spec: TableSpec, row: Row) {
  const rows = map.get(spec);
  if (rows) rows.push(row);
  else map.set(spec, [row]);
}

/**
 * Adds the difference between `before` and `after` of one host: rows that are new or changed are
 * upserted, rows that are gone are deleted at the highest level that went (the foreign keys
 * cascade to the levels below), so a removed patch costs one key however many functions it had.
 */
export function diffHostRows(before: HostRows, after: HostRows, changes: RowChanges): void {
  const hostId = (after.host ?? before.host)?.[0];
  if (hostId === undefined) return;
  if (after.host === null) {
    push(changes.deletes, HOSTS, [hostId]);
    return;
  }
  if (before.host === null || !same(before.host, after.host)) push(changes.upserts, HOSTS, after.host);
  const levels: [
    TableSpec,
    ReadonlyMap<string, Row>,
    ReadonlyMap<string, Row>,
    number,
    ReadonlyMap<string, Row> | null,
  ][] = [
    [HOST_PATCHES, before.patches, after.patches, 2, null],
    [HOST_OBJECTS, before.objects, after.objects, 3, after.patches],
    [HOST_FUNCS, before.funcs, after.funcs, 4, after.objects],
  ];
  for (const [spec, old, next, keyLength, parents] of levels) {
    for (const [key, row] of next) {
      const previous = old.get(key);
      if (previous === undefined || !same(previous, row)) push(changes.upserts, spec, row);
    }
    for (const [key, row] of old) {
      if (next.has(key)) continue;
      const parentKey = key.slice(0, key.lastIndexOf(SEP));
      // Gone with its parent: the parent's delete cascades.
      if (parents !== null && !parents.has(parentKey)) continue;
      push(changes.deletes, spec, row.slice(0, keyLength));
    }
  }
}
