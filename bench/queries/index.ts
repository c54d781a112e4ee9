/**
 * The query benchmarks (issues 5, 6 and 8): a fleet of 100,000 hosts and 10,000,000 audit records
 * (quick: 10,000 and 1,000,000) built from the domain and COPYed into a scratch database, then the
 * read paths measured through the real api over HTTP, each beside the same SQL straight through pg.
 */
import { performance } from 'node:perf_hooks';
import { Client, Pool } from 'pg';
import {
  auditSelect,
  ensureDatabase,
  listAudit,
  longTransitions,
  migrate,
  patchHostsAt,
  patchRollup,
  readHostView,
} from '@klp/store';
import { migrations } from '../../migrations';
import { type Row, summarize } from '../report';
import { prng } from '../workload';
import { buildDataset, loadDataset, monthlyPartitions } from './dataset';
import { hostIdOf } from './stamp';
import { type Api, type Latency, cursorRate, measureLatency, ndjsonRate, startApi } from './measure';

export interface QueryWorkloadOptions {
  quick: boolean;
  runs: number;
  serverUrl: string;
}

const log = (line: string) => process.stderr.write(`${line}\n`);
const round2 = (value: number) => Math.round(value * 100) / 100;
const count = (value: number) => value.toLocaleString('en-US');

export async function runQueryWorkload(
  options: QueryWorkloadOptions,
): Promise<{ results: Record<string, number>; rows: Row[]; context: string }> {
  const started = performance.now();
  const hosts = options.quick ? 10_000 : 100_000;
  const auditTarget = options.quick ? 1_000_000 : 10_000_000;
  const requests = 1000;
  const warmup = 50;
  const name = `klp_bench_queries_${Date.now().toString(36)}`;
  const target = new URL(options.serverUrl);
  target.pathname = `/${name}`;
  const url = target.toString();
  const connect = async () => {
    const client = new Client({ connectionString: url, options: '-c search_path=klp' });
    await client.connect();
    return client;
  };

  // Thirty days of history, up to ten minutes ago.
  const end = new Date(Date.now() - 10 * 60_000);
  const start = new Date(end.getTime() - 30 * 86_400_000);

  let api: Api | undefined;
  let pool: Pool | undefined;
  try {
    await ensureDatabase(url);
    await migrate({ url, schema: 'klp', migrations });
    await monthlyPartitions(connect, start);

    log(`▶ queries: deciding host histories for ${count(hosts)} hosts`);
    const dataset = buildDataset({
      hosts,
      auditTarget,
      templates: 400,
      seed: 1,
      start,
      end,
    });
    const { counts } = dataset;
    log(
      `  ${count(counts.events)} events, ${count(counts.audit)} audit records, ${count(counts.intervals)} state intervals`,
    );
    log('▶ queries: COPY into the migrated tables');
    const load = await loadDataset(dataset, url, connect, log);
    const copyRate = load.rows / load.seconds;
    log(`  ${count(load.rows)} rows in ${load.seconds.toFixed(1)} s: ${count(Math.round(copyRate))} rows/s`);
    const vacuumStarted = performance.now();
    const admin = await connect();
    try {
      // What autovacuum would have done by now: visibility maps and statistics.
      await admin.query(
        'VACUUM (ANALYZE) hosts, host_patches, host_objects, host_funcs, patch_state_history',
      );
      await admin.query('ANALYZE audit_log, event_log');
    } finally {
      await admin.end();
    }
    log(`  VACUUM and ANALYZE in ${((performance.now() - vacuumStarted) / 1000).toFixed(1)} s`);

    pool = new Pool({ connectionString: url, max: 5, options: '-c search_path=klp,public' });
    api = await startApi(url, log);
    const db = pool;
    const http = api;

    // The fleet-at-T question: the (patch, state, instant) with the most hosts in the middle of the history.
    const middle = new Date((dataset.options.start.getTime() + end.getTime()) / 2).toISOString();
    const fleetAt = (
      await db.query<{ patch: string; state: string; hosts: number }>(
        `SELECT patch, state, count(*)::int AS hosts FROM patch_state_history
          WHERE valid_from <= $1 AND valid_to > $1 GROUP BY patch, state ORDER BY hosts DESC LIMIT 1`,
        [middle],
      )
    ).rows[0];
    const walkLimit = 10_000;
    log(`  fleet at ${middle}: ${fleetAt.patch} ${fleetAt.state} on ${count(fleetAt.hosts)} hosts`);

    // The export: every record when there are about 1M, else the first 1,000,000 in time order.
    const exportWindow = (
      await db.query<{ since: Date; until: Date }>(
        `SELECT (SELECT min(at) FROM audit_log) AS since,
                (SELECT at FROM audit_log ORDER BY at OFFSET $1 LIMIT 1) AS until`,
        [Math.min(1_000_000, counts.audit) - 1],
      )
    ).rows[0];
    const exportFilter = { since: exportWindow.since.toISOString(), until: exportWindow.until.toISOString() };

    const random = prng(42);
    const randomHost = () => hostIdOf(Math.floor(random() * hosts));
    const okText = async (pathAndQuery: string) => {
      const response = await http.get(pathAndQuery);
      const body = await response.text();
      if (!response.ok) throw new Error(`GET ${pathAndQuery}: ${response.status} ${body.slice(0, 200)}`);
      return body;
    };

    interface Pair {
      api: Latency[];
      direct: Latency[];
    }
    const series = {
      hostView: { api: [], direct: [] } as Pair,
      rollup: { api: [], direct: [] } as Pair,
      transitions: { api: [], direct: [] } as Pair,
      timeline: { api: [], direct: [] } as Pair,
      fleetAt: { api: [], direct: [] } as Pair,
    };
    const exportApi: number[] = [];
    const exportDirect: number[] = [];
    let walked = 0;
    let exported = 0;
    const walks = options.quick ? 50 : 100;

    for (let run = 1; run <= options.runs; run++) {
      log(`▶ queries run ${run}/${options.runs}: ${requests} requests each after ${warmup} of warm-up`);
      series.hostView.direct.push(
        await measureLatency(requests, warmup, async () => void (await readHostView(db, randomHost()))),
      );
      series.hostView.api.push(
        await measureLatency(requests, warmup, async () => void (await okText(`/v1/hosts/${randomHost()}`))),
      );
      series.rollup.direct.push(
        await measureLatency(requests, warmup, async () => void (await patchRollup(db))),
      );
      series.rollup.api.push(
        await measureLatency(requests, warmup, async () => void (await okText('/v1/patches'))),
      );
      series.transitions.direct.push(
        await measureLatency(requests, warmup, async () => {
          const now = new Date();
          await longTransitions(db, new Date(now.getTime() - 3_600_000), 100, now);
        }),
      );
      series.transitions.api.push(
        await measureLatency(
          requests,
          warmup,
          async () => void (await okText('/v1/transitions?olderThan=PT1H')),
        ),
      );
      series.timeline.direct.push(
        await measureLatency(
          requests,
          warmup,
          async () => void (await listAudit(db, { hostId: randomHost() }, 100)),
        ),
      );
      series.timeline.api.push(
        await measureLatency(
          requests,
          warmup,
          async () => void (await okText(`/v1/audit?hostId=${randomHost()}`)),
        ),
      );
      log(`  fleet at T: ${walks} walks of up to ${count(walkLimit)} hosts, 500 a page`);
      series.fleetAt.direct.push(
        await measureLatency(walks, 3, async () => {
          let after: string | undefined;
          let seen = 0;
          do {
            const page = await patchHostsAt(db, fleetAt.patch, middle, fleetAt.state as never, 500, after);
            seen += page.items.length;
            after = page.nextCursor ?? undefined;
          } while (after !== undefined && seen < walkLimit);
          walked = seen;
        }),
      );
      series.fleetAt.api.push(
        await measureLatency(walks, 3, async () => {
          let cursor: string | null = null;
          let seen = 0;
          do {
            const page: { items: unknown[]; nextCursor: string | null } = JSON.parse(
              await okText(
                `/v1/patches/${fleetAt.patch}/hosts?state=${fleetAt.state}&at=${encodeURIComponent(middle)}&limit=500` +
                  (cursor ? `&cursor=${cursor}` : ''),
              ),
            ) as { items: unknown[]; nextCursor: string | null };
            seen += page.items.length;
            cursor = page.nextCursor;
          } while (cursor !== null && seen < walkLimit);
          if (seen !== walked) throw new Error(`fleet at T: the api walked ${seen} hosts, pg ${walked}`);
        }),
      );
      log('  NDJSON export');
      const { text, params } = auditSelect(exportFilter, 'oldest');
      const exportClient = await connect();
      try {
        exportDirect.push((await cursorRate(exportClient, text, params)).perSecond);
      } finally {
        await exportClient.end();
      }
      const viaApi = await ndjsonRate(
        http,
        `/v1/audit?since=${encodeURIComponent(exportFilter.since)}&until=${encodeURIComponent(exportFilter.until)}`,
      );
      exported = viaApi.records;
      exportApi.push(viaApi.perSecond);
    }

    const us = (values: number[]) => summarize(values.map((value) => value * 1000));
    const latencyRows = (label: string, pair: Pair, query: string): Row[] => {
      const direct = us(pair.direct.map((latency) => latency.p99));
      return [
        { workload: `${label}: the reader's SQL through pg (${query})`, unit: 'p99 µs', summary: direct },
        {
          workload: `${label}: api over HTTP`,
          unit: 'p99 µs',
          summary: us(pair.api.map((latency) => latency.p99)),
          limit: direct,
        },
        {
          workload: `${label}: api over HTTP`,
          unit: 'p50 µs',
          summary: us(pair.api.map((latency) => latency.p50)),
        },
      ];
    };
    const loadSummary = summarize([copyRate]);
    const directExport = summarize(exportDirect);
    const rows: Row[] = [
      {
        workload: `raw Postgres COPY of the generated data set into the migrated tables, the logs' indexes made after (${count(load.rows)} rows)`,
        unit: 'rows/s',
        summary: loadSummary,
      },
      ...latencyRows(
        `host view GET /v1/hosts/{id}, random of ${count(hosts)}`,
        series.hostView,
        'one statement',
      ),
      ...latencyRows('per-patch roll-up GET /v1/patches', series.rollup, 'patch_state_counts'),
      ...latencyRows('transitions GET /v1/transitions?olderThan=PT1H', series.transitions, 'first 100'),
      ...latencyRows(
        `audit timeline GET /v1/audit?hostId=, random host, ${count(counts.audit)} records`,
        series.timeline,
        'newest 100',
      ),
      {
        workload: `fleet at T: ${count(walked)} hosts (${fleetAt.state}) in pages of 500, the reader through pg`,
        unit: 'p50 ms',
        summary: summarize(series.fleetAt.direct.map((latency) => latency.p50)),
      },
      {
        workload: `fleet at T GET /v1/patches/{name}/hosts?state=&at=: ${count(walked)} hosts in pages of 500 (${walks} walks)`,
        unit: 'p50 ms',
        summary: summarize(series.fleetAt.api.map((latency) => latency.p50)),
        limit: summarize(series.fleetAt.direct.map((latency) => latency.p50)),
      },
      {
        workload: `fleet at T over HTTP, ${count(walked)} hosts`,
        unit: 'p99 ms',
        summary: summarize(series.fleetAt.api.map((latency) => latency.p99)),
      },
      {
        workload: `audit export: the export's cursor through pg, FETCH 1000 (${count(exported)} records)`,
        unit: 'records/s',
        summary: directExport,
      },
      {
        workload: `audit export GET /v1/audit, Accept: application/x-ndjson (${count(exported)} records)`,
        unit: 'records/s',
        summary: summarize(exportApi),
        limit: directExport,
      },
    ];
    const median = (pair: Latency[], field: 'p50' | 'p99') =>
      summarize(pair.map((latency) => latency[field])).median;
    const results: Record<string, number> = {
      host_view_p99_ms_100k_hosts: round2(median(series.hostView.api, 'p99')),
      rollup_p99_ms_100k_hosts: round2(median(series.rollup.api, 'p99')),
      transitions_p99_ms_100k_hosts: round2(median(series.transitions.api, 'p99')),
      audit_timeline_p99_ms_10m: round2(median(series.timeline.api, 'p99')),
      fleet_at_t_ms_10k_hosts: round2(median(series.fleetAt.api, 'p50')),
      audit_export_records_per_s: Math.round(summarize(exportApi).median),
      query_load_copy_rows_per_s: Math.round(copyRate),
    };
    const context =
      `${count(hosts)} hosts (${count(load.perTable.host_patches)} patches, ${count(load.perTable.host_funcs)} functions), ` +
      `${count(counts.audit)} hash-chained audit records and ${count(counts.events)} events from ` +
      `${dataset.templates.length} histories decided by the domain, loaded in ${load.seconds.toFixed(0)} s (COPY ${load.copySeconds.toFixed(0)} s, then the logs' indexes ${load.indexSeconds.toFixed(0)} s); ` +
      `${requests} requests per query after ${warmup} of warm-up, one at a time; ` +
      `whole benchmark ${((performance.now() - started) / 1000).toFixed(0)} s`;
    return { results, rows, context };
  } finally {
    await api?.stop();
    await pool?.end();
    const admin = new Client({ connectionString: options.serverUrl });
    await admin.connect();
    await admin
      .query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)
      .catch((error: Error) => log(error.message));
    await admin.end();
  }
}
