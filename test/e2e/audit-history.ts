import { Client } from 'pg';
import { EVENT_SCHEMA_VERSION, upcast, type HostView } from '@klp/contracts';
import { evolve, initialState, view } from '@klp/domain';
import type { Stack } from './stack';

/** Seeded PRNG (mulberry32): a failing history fails the same way twice. */
export function seeded(seed: number): (n: number) => number {
  let a = seed >>> 0;
  return (n: number) => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n);
  };
}

export interface Step {
  token: 'operator' | 'agent';
  body: { hostId: string; type: string; payload: unknown };
}

/**
 * A next command for a host, chosen from the view the api served: mostly ones the state allows
 * (register, enable the next patch, complete or force the transition…), with a share of refusals.
 */
export function nextCommand(
  hostId: string,
  served: HostView | null,
  random: (n: number) => number,
  i: number,
): Step {
  const agent = (type: string, payload: unknown): Step => ({
    token: 'agent',
    body: { hostId, type, payload },
  });
  const operator = (type: string, payload: unknown): Step => ({
    token: 'operator',
    body: { hostId, type, payload },
  });
  const boot = () =>
    agent('HostBooted', { kernelRelease: '4.19.0-27-amd64', modules: random(2) ? ['nfsd'] : [] });
  if (!served) return random(5) === 0 ? operator('EnablePatch', { patch: 'p0' }) : boot();
  const names = served.stack;
  const anyPatch = () => (names.length && random(6) ? names[random(names.length)] : `p${random(50)}`);
  const inTransition = served.transition?.patch ?? anyPatch();
  switch (random(14)) {
    case 0:
      return random(4) === 0 ? boot() : agent('ModuleComing', { module: 'nfsd' });
    case 1:
      return agent('ModuleGoing', { module: 'nfsd' });
    case 2:
    case 3: {
      const objects = [{ name: 'vmlinux', funcs: [{ name: 'cmdline_proc_show' }] }];
      if (random(2)) objects.push({ name: 'nfsd', funcs: [{ name: 'nfsd_dispatch' }] });
      return operator('RegisterPatch', { name: `p${i}`, objects });
    }
    case 4:
    case 5: {
      const next = names.find((name) => !served.patches[name].enabled);
      return operator('EnablePatch', { patch: next && random(5) ? next : anyPatch() });
    }
    case 6: {
      const last = [...names].reverse().find((name) => served.patches[name].enabled);
      return operator('DisablePatch', { patch: last && random(5) ? last : anyPatch() });
    }
    case 7:
    case 8:
      return served.transition?.target === 'unpatched'
        ? agent('UnpatchComplete', { patch: inTransition })
        : agent('PatchComplete', { patch: inTransition });
    case 9:
      return operator('ForceTransition', { patch: inTransition });
    case 10:
      return agent('TransitionProgress', { patch: inTransition, pendingTasks: random(9) });
    case 11:
      return operator('UnregisterPatch', { patch: anyPatch() });
    case 12:
      return agent('EnableFailed', { patch: inTransition, errno: 'ENODEV' });
    default:
      return operator('EnablePatch', { patch: inTransition });
  }
}

interface EventRow {
  host_id: string;
  version: number;
  type: string;
  schema_version: number;
  payload: unknown;
  command_id: string;
  correlation_id: string;
  actor: string;
  occurred_at: Date;
}

/** Every host of the database folded to `at` with the domain itself: the brute force to compare with. */
export async function bruteForceFleetAt(db: Client, at: string): Promise<Map<string, HostView>> {
  const { rows } = await db.query<EventRow>(
    `SELECT host_id, version, type, schema_version, payload, command_id, correlation_id, actor, occurred_at
       FROM event_log WHERE occurred_at <= $1::timestamptz
      ORDER BY host_id, kafka_partition, kafka_offset, event_index`,
    [at],
  );
  const states = new Map<string, ReturnType<typeof initialState>>();
  for (const row of rows) {
    const state = states.get(row.host_id) ?? initialState(row.host_id);
    const event = upcast({
      schemaVersion: row.schema_version ?? EVENT_SCHEMA_VERSION,
      type: row.type,
      hostId: row.host_id,
      version: row.version,
      payload: row.payload,
      commandId: row.command_id,
      correlationId: row.correlation_id,
      actor: row.actor,
      occurredAt: row.occurred_at.toISOString(),
    });
    states.set(row.host_id, evolve(state, event));
  }
  const views = new Map<string, HostView>();
  for (const [hostId, state] of states) {
    const hostView = view(state);
    if (hostView) views.set(hostId, hostView);
  }
  return views;
}

/** A superuser connection to the stack's database, in the read model's schema. */
export async function connect(stack: Stack): Promise<Client> {
  const db = new Client({ connectionString: stack.databaseUrl, options: '-c search_path=klp,public' });
  await db.connect();
  return db;
}

/** Waits until the audit projection stops growing (it runs beside the events projection). */
export async function auditSettled(db: Client): Promise<number> {
  let last = -1;
  let stable = 0;
  for (let i = 0; i < 200 && stable < 4; i++) {
    const { rows } = await db.query<{ n: string }>(`SELECT count(*) AS n FROM audit_log`);
    const n = Number(rows[0].n);
    stable = n === last && n > 0 ? stable + 1 : 0;
    last = n;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return last;
}
