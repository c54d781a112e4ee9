import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type { Client } from 'pg';
import { auditHash, type AuditRecord, type HostView } from '@klp/contracts';
import { auditSettled, bruteForceFleetAt, connect, nextCommand, seeded } from './audit-history';
import { type Stack, startStack } from './stack';

const HOSTS = 4;
const COMMANDS = 120;

describe('audit and time travel over the started stack', () => {
  let stack: Stack;
  let db: Client;
  const run = randomUUID().slice(0, 6);
  const hostIds = Array.from({ length: HOSTS }, (_, i) => `sim-at-${run}-${i}`);
  /** What the api served during the run: each host's view right after each command, and when. */
  const served: Array<{ hostId: string; at: string; view: HostView | null }> = [];

  const get = (route: string, token = stack.tokens.auditor, headers: Record<string, string> = {}) =>
    fetch(`${stack.baseUrl}${route}`, { headers: { authorization: `Bearer ${token}`, ...headers } });
  const json = async <T>(route: string, token?: string): Promise<T> => {
    const response = await get(route, token);
    if (!response.ok) throw new Error(`${route}: ${response.status} ${await response.text()}`);
    return (await response.json()) as T;
  };
  const graphql = async <T>(query: string, variables: object): Promise<T> => {
    const response = await fetch(`${stack.baseUrl}/graphql`, {
      method: 'POST',
      headers: { authorization: `Bearer ${stack.tokens.auditor}`, 'content-type': 'application/json' },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await response.json()) as { data?: T; errors?: unknown[] };
    if (!body.data || body.errors) throw new Error(JSON.stringify(body.errors));
    return body.data;
  };
  const viewNow = async (hostId: string): Promise<HostView | null> => {
    const response = await get(`/v1/hosts/${hostId}`);
    if (response.status === 404) return null;
    return (await response.json()) as HostView;
  };

  beforeAll(async () => {
    stack = await startStack();
    db = await connect(stack);
  }, 120_000);
  afterAll(async () => {
    await db?.end();
    await stack?.stop();
  });

  it('serves ?at=T as the very view it served at T, for a seeded random history', async () => {
    const random = seeded(20261127);
    const latest = new Map<string, HostView | null>(hostIds.map((id) => [id, null]));
    let accepted = 0;
    for (let i = 0; i < COMMANDS; i++) {
      const hostId = hostIds[random(HOSTS)];
      const step = nextCommand(hostId, latest.get(hostId) ?? null, random, i);
      const response = await fetch(`${stack.baseUrl}/v1/commands?wait=true`, {
        method: 'POST',
        headers: { authorization: `Bearer ${stack.tokens[step.token]}`, 'content-type': 'application/json' },
        body: JSON.stringify(step.body),
      });
      const answer = (await response.json()) as { status: string };
      expect([200, 404, 409, 422]).toContain(response.status);
      if (answer.status === 'accepted') accepted += 1;
      const view = await viewNow(hostId);
      const at = new Date().toISOString();
      latest.set(hostId, view);
      served.push({ hostId, at, view });
      // The next command's issuedAt must fall after `at`, on the api's millisecond clock.
      while (new Date().toISOString() <= at) await new Promise((resolve) => setTimeout(resolve, 1));
    }
    expect(accepted).toBeGreaterThan(COMMANDS / 4);
    for (const { hostId, at, view } of served) {
      const response = await get(`/v1/hosts/${hostId}?at=${encodeURIComponent(at)}`);
      if (view === null) expect(response.status).toBe(404);
      else expect({ at, view: await response.json() }).toEqual({ at, view });
    }
    // Before the host's first command it did not exist.
    const first = served.find((entry) => entry.view !== null)!;
    const before = new Date(Date.parse(served[0].at) - 60_000).toISOString();
    expect((await get(`/v1/hosts/${first.hostId}?at=${before}`)).status).toBe(404);
    expect((await get(`/v1/hosts/${first.hostId}?at=yesterday`)).status).toBe(400);
  }, 180_000);

  it('answers host(id, at) in GraphQL like REST', async () => {
    const entry = served.filter((item) => item.view !== null).at(-5)!;
    const response = await fetch(`${stack.baseUrl}/graphql`, {
      method: 'POST',
      headers: { authorization: `Bearer ${stack.tokens.auditor}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        query: `query ($id: String!, $at: String) { host(id: $id, at: $at) { hostId version stack } }`,
        variables: { id: entry.hostId, at: entry.at },
      }),
    });
    const body = (await response.json()) as { data: { host: unknown } };
    expect(body.data.host).toEqual({
      hostId: entry.hostId,
      version: entry.view!.version,
      stack: entry.view!.stack,
    });
  });

  it('answers fleet-at-T like a brute-force fold of every host', async () => {
    await auditSettled(db);
    const times = served.filter((_, i) => i % 9 === 4).map((entry) => entry.at);
    let compared = 0;
    const seenStates = new Set<string>();
    for (const at of times) {
      const fleet = await bruteForceFleetAt(db, at);
      const patches = new Set([...fleet.values()].flatMap((view) => view.stack));
      for (const patch of patches) {
        const expected = [...fleet.values()]
          .filter((view) => view.patches[patch])
          .map((view) => ({ hostId: view.hostId, state: view.patches[patch].state }))
          .sort((a, b) => (a.hostId < b.hostId ? -1 : 1));
        const page = await json<{ items: Array<{ hostId: string; state: string }> }>(
          `/v1/patches/${patch}/hosts?at=${encodeURIComponent(at)}&limit=500`,
        );
        expect({ at, patch, hosts: page.items.map(({ hostId, state }) => ({ hostId, state })) }).toEqual({
          at,
          patch,
          hosts: expected,
        });
        for (const state of new Set(expected.map((item) => item.state))) {
          const filtered = await json<{ items: Array<{ hostId: string }> }>(
            `/v1/patches/${patch}/hosts?at=${encodeURIComponent(at)}&state=${state}`,
          );
          expect(filtered.items.map((item) => item.hostId)).toEqual(
            expected.filter((item) => item.state === state).map((item) => item.hostId),
          );
        }
        if (compared === 0) {
          const answer = await graphql<{ patchHostsAt: { items: Array<{ hostId: string; state: string }> } }>(
            `
              query ($p: String!, $t: String!) {
                patchHostsAt(name: $p, at: $t, state: null) {
                  items {
                    hostId
                    state
                  }
                }
              }
            `,
            { p: patch, t: at },
          );
          expect(answer.patchHostsAt.items).toEqual(expected);
        }
        for (const item of expected) seenStates.add(item.state);
        compared += 1;
      }
    }
    expect(compared).toBeGreaterThan(3);
    expect(seenStates.size).toBeGreaterThan(1);
  }, 120_000);

  it('exports NDJSON oldest first, equal to the paged listing reversed, and refuses agents', async () => {
    await auditSettled(db);
    const paged: AuditRecord[] = [];
    let cursor: string | null = null;
    do {
      const query: string = `/v1/audit?limit=37${cursor ? `&cursor=${cursor}` : ''}`;
      const page: { items: AuditRecord[]; nextCursor: string | null } = await json(query);
      paged.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    const exported = await get('/v1/audit', stack.tokens.operator, { accept: 'application/x-ndjson' });
    expect(exported.headers.get('content-type')).toMatch(/application\/x-ndjson/);
    const lines = (await exported.text()).split('\n');
    expect(lines.pop()).toBe('');
    const records = lines.map((line) => JSON.parse(line) as AuditRecord);
    expect(records.length).toBeGreaterThan(50);
    expect(records).toEqual([...paged].reverse());
    const hostId = hostIds[0];
    const own = await get(`/v1/audit?hostId=${hostId}&since=2000-01-01T00:00:00Z`, stack.tokens.admin, {
      accept: 'application/x-ndjson',
    });
    const ownRecords = (await own.text())
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as AuditRecord);
    expect(ownRecords).toEqual(records.filter((record) => record.hostId === hostId));
    expect(ownRecords.map((record) => record.seq)).toEqual(ownRecords.map((_, i) => i + 1));
    expect((await get('/v1/audit', stack.tokens.agent)).status).toBe(403);
    const graphql = await fetch(`${stack.baseUrl}/graphql`, {
      method: 'POST',
      headers: { authorization: `Bearer ${stack.tokens.auditor}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        query: `query ($h: String) { audit(filter: { hostId: $h }, page: { limit: 3 }) { items { seq hash } nextCursor } }`,
        variables: { h: hostId },
      }),
    });
    const answer = (await graphql.json()) as {
      data: { audit: { items: Array<{ seq: number; hash: string }> } };
    };
    expect(answer.data.audit.items).toEqual(
      [...ownRecords]
        .reverse()
        .slice(0, 3)
        .map(({ seq, hash }) => ({ seq, hash })),
    );
  }, 60_000);

  it('keeps the logs in monthly partitions made ahead, appendable but not changeable by klp_app', async () => {
    const { rows } = await db.query<{ log: string; partition: string; n: string }>(
      `SELECT 'audit_log' AS log, tableoid::regclass::text AS partition, count(*) AS n FROM audit_log GROUP BY 2
       UNION ALL
       SELECT 'event_log', tableoid::regclass::text, count(*) FROM event_log GROUP BY 2`,
    );
    // Every row in a monthly partition, none left in the default one.
    expect(rows.length).toBeGreaterThanOrEqual(2);
    for (const { log, partition } of rows) expect(partition).toMatch(new RegExp(`^${log}_y\\d{4}m\\d{2}$`));
    const ahead = await db.query<{ n: string }>(
      `SELECT count(*) AS n FROM pg_inherits WHERE inhparent = 'audit_log'::regclass`,
    );
    expect(Number(ahead.rows[0].n)).toBe(14); // this month, 12 ahead, and the default
    const grants = await db.query<{ insert: boolean; select: boolean; update: boolean; delete: boolean }>(
      `SELECT has_table_privilege('klp_app', 'audit_log', 'INSERT') AS insert,
              has_table_privilege('klp_app', 'event_log', 'SELECT') AS select,
              has_table_privilege('klp_app', 'audit_log', 'UPDATE') AS update,
              has_table_privilege('klp_app', 'event_log', 'DELETE') AS delete`,
    );
    expect(grants.rows[0]).toEqual({ insert: true, select: true, update: false, delete: false });
  });

  it('finds a changed, a deleted and a forged record, and names the first broken version', async () => {
    await auditSettled(db);
    const verify = (hostId: string) =>
      json<{ hostId: string; records: number; ok: boolean; firstBrokenVersion?: number }>(
        `/v1/audit/verify?hostId=${hostId}`,
      );
    const chains = new Map<string, AuditRecord[]>();
    for (const hostId of hostIds) {
      const text = await (
        await get(`/v1/audit?hostId=${hostId}`, stack.tokens.auditor, { accept: 'application/x-ndjson' })
      ).text();
      chains.set(
        hostId,
        text
          .trim()
          .split('\n')
          .map((line) => JSON.parse(line) as AuditRecord),
      );
      expect(await verify(hostId)).toEqual({ hostId, records: chains.get(hostId)!.length, ok: true });
    }
    const [changed, deleted, forged, untouched] = [...chains.keys()].sort(
      (a, b) => chains.get(b)!.length - chains.get(a)!.length,
    );
    const at = (hostId: string, seq: number) => chains.get(hostId)!.find((record) => record.seq === seq)!;
    for (const hostId of [changed, deleted, forged]) expect(chains.get(hostId)!.length).toBeGreaterThan(6);

    // As a superuser with the append-only triggers off, as an intruder with the keys would.
    await db.query(`SET session_replication_role = replica`);
    await db.query(`UPDATE audit_log SET actor = 'mallory' WHERE host_id = $1 AND seq = 4`, [changed]);
    await db.query(`DELETE FROM audit_log WHERE host_id = $1 AND seq = 3`, [deleted]);
    // A well-formed forgery: a second record 5 correctly chained to record 4, a millisecond later.
    const original = at(forged, 5);
    const fake = { ...original, actor: 'mallory', at: new Date(Date.parse(original.at) + 1).toISOString() };
    const { hash: _, ...unsealed } = fake;
    const entity = fake.entity;
    await db.query(
      `INSERT INTO audit_log (host_id, seq, version, record_index, at, actor, command_id, command_type, entity_kind,
                              patch, object, func, attribute, from_value, to_value, prev_hash, hash)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14::jsonb, $15::jsonb, $16, $17)`,
      [
        fake.hostId,
        fake.seq,
        fake.version,
        fake.index,
        fake.at,
        fake.actor,
        fake.commandId,
        fake.commandType,
        entity.kind,
        entity.patch ?? null,
        entity.object ?? null,
        entity.func ?? null,
        fake.attribute,
        JSON.stringify(fake.from),
        JSON.stringify(fake.to),
        fake.prevHash,
        auditHash(unsealed),
      ],
    );
    await db.query(`SET session_replication_role = origin`);

    expect(await verify(changed)).toMatchObject({ ok: false, firstBrokenVersion: at(changed, 4).version });
    expect(await verify(deleted)).toMatchObject({ ok: false, firstBrokenVersion: at(deleted, 4).version });
    expect(await verify(forged)).toMatchObject({ ok: false, firstBrokenVersion: original.version });
    expect(await verify(untouched)).toMatchObject({ ok: true });
    const verdict = await graphql<{ auditVerify: unknown }>(
      `
        query ($h: String!) {
          auditVerify(hostId: $h) {
            hostId
            ok
            firstBrokenVersion
          }
        }
      `,
      { h: changed },
    );
    expect(verdict.auditVerify).toEqual({
      hostId: changed,
      ok: false,
      firstBrokenVersion: at(changed, 4).version,
    });

    const tool = spawnSync(process.execPath, ['-r', './tools/register.js', 'tools/audit/verify.ts'], {
      cwd: path.resolve(__dirname, '../..'),
      env: { ...stack.env, KLP_DB_SCHEMA: 'klp' },
      encoding: 'utf8',
    });
    expect(tool.status).toBe(1);
    expect(tool.stdout).toContain(`BROKEN ${changed}: first broken version ${at(changed, 4).version}`);
    expect(tool.stdout).toMatch(/4 host\(s\), \d+ record\(s\) in .* 3 broken chain\(s\)/);
  }, 60_000);
});
