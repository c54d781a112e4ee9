import { readFileSync } from 'node:fs';
import { connect } from './audit-history';
import { type Stack, startStack } from './stack';

/** Records to export; 1,000,000 by default (KLP_EXPORT_RECORDS=200000 for a quicker run). */
const RECORDS = Number(process.env.KLP_EXPORT_RECORDS ?? 1_000_000);
const HOSTS = 1000;
const HEAP_CAP_MIB = 128;

function rssMiB(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Math.round(Number(match?.[1] ?? 0) / 1024);
}

describe('the NDJSON audit export at scale', () => {
  let stack: Stack;

  beforeAll(async () => {
    // A heap cap far below the body's size: an export that held its records would die of it.
    const options = process.env.NODE_OPTIONS;
    process.env.NODE_OPTIONS = `${options ?? ''} --max-old-space-size=${HEAP_CAP_MIB}`.trim();
    try {
      stack = await startStack({ apps: ['api'] });
    } finally {
      if (options === undefined) delete process.env.NODE_OPTIONS;
      else process.env.NODE_OPTIONS = options;
    }
    const db = await connect(stack);
    try {
      // Synthetic rows straight into the log (their hashes are not a chain: only memory is measured).
      await db.query(
        `INSERT INTO audit_log (host_id, seq, version, record_index, at, actor, command_id, command_type,
                                entity_kind, patch, object, func, attribute, from_value, to_value, prev_hash, hash)
         SELECT 'mem-' || (i % $2), i / $2 + 1, i / $2 + 1, 0,
                timestamptz '2026-01-01T00:00:00Z' + make_interval(secs => i), 'bench', 'c' || i, 'EnablePatch',
                'function', 'lp-' || (i % 7), 'vmlinux', 'cmdline_proc_show,1', 'patched', 'false', 'true',
                repeat('0', 64), md5(i::text) || md5((i + 1)::text)
           FROM generate_series(0, $1 - 1) AS i`,
        [RECORDS, HOSTS],
      );
    } finally {
      await db.end();
    }
  }, 600_000);
  afterAll(async () => {
    await stack?.stop();
  });

  it('streams every record oldest first while the api process stays flat', async () => {
    const pid = stack.apps.get('api')!.pid!;
    const headers = { authorization: `Bearer ${stack.tokens.auditor}`, accept: 'application/x-ndjson' };
    // Warm the route up, so the baseline counts the code paths and pools already in use.
    await (await fetch(`${stack.baseUrl}/v1/audit?hostId=mem-1`, { headers })).text();
    const before = rssMiB(pid);
    let peak = before;
    const samples: number[] = [];
    const sampler = setInterval(() => {
      const rss = rssMiB(pid);
      samples.push(rss);
      peak = Math.max(peak, rss);
    }, 100);
    const started = Date.now();
    const response = await fetch(`${stack.baseUrl}/v1/audit`, { headers });
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    let lines = 0;
    let bytes = 0;
    let tail = '';
    let lastAt = '';
    let ordered = true;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      bytes += value.length;
      const parts = (tail + value).split('\n');
      tail = parts.pop()!;
      for (const line of parts) {
        const at = (JSON.parse(line) as { at: string }).at;
        if (at < lastAt) ordered = false;
        lastAt = at;
        lines += 1;
      }
    }
    clearInterval(sampler);
    const seconds = (Date.now() - started) / 1000;
    const after = rssMiB(pid);
    console.log(
      `audit export: ${lines} records, ${Math.round(bytes / 2 ** 20)} MiB in ${seconds.toFixed(1)} s ` +
        `(${Math.round(lines / seconds)} records/s); api RSS before ${before} MiB, peak ${peak} MiB, after ${after} MiB`,
      samples.filter((_, i) => i % 10 === 0).join(' '),
    );
    expect(tail).toBe('');
    expect(lines).toBe(RECORDS);
    expect(ordered).toBe(true);
    // The body is ~450 B a record: holding it would take several times the heap cap.
    expect(bytes / 2 ** 20).toBeGreaterThan(HEAP_CAP_MIB);
    expect(peak - before).toBeLessThan(HEAP_CAP_MIB);
  }, 600_000);
});
