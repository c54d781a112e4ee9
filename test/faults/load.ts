import { prng } from '../../bench/workload';
import { randomCommand as nextCommand } from '../support/random-commands';

// The seeded load: random commands over many hosts (valid and refused alike, as in
// fold-equivalence), sent through POST /v1/commands:batch without wait. A batch that fails is
// retried with the same commandIds until the api answers 200.
export interface LoadOptions {
  baseUrl: string;
  token: string;
  seed: number;
  commands: number;
  hosts: number;
  /** The load is spread evenly over this time (batches catch up after an outage). */
  durationMs: number;
  batchSize?: number;
  log?: (line: string) => void;
}

export interface LoadStats {
  sent: number;
  /** commandIds the api answered 202 for (or, on a retry, already settled). */
  accepted: Set<string>;
  /** Commands the api refused outright (4xx in the batch result). */
  refused: number;
  /** Batch attempts that failed and were retried, by cause. */
  retries: Record<string, number>;
  batches: number;
}

export function randomCommand(
  random: () => number,
  hosts: number,
  commandId: string,
): Record<string, unknown> {
  return { commandId, ...nextCommand(random, { count: hosts, prefix: 'sim-fault-', digits: 4 }) };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function causeOf(error: unknown): string {
  const err = error as { name?: string; cause?: { code?: string } };
  if (err.name === 'TimeoutError' || err.name === 'AbortError') return 'timeout';
  return err.cause?.code ?? err.name ?? 'error';
}

export async function runLoad(options: LoadOptions): Promise<LoadStats> {
  const random = prng(options.seed);
  const batchSize = options.batchSize ?? 250;
  const stats: LoadStats = { sent: 0, accepted: new Set(), refused: 0, retries: {}, batches: 0 };
  const started = Date.now();
  const batchCount = Math.ceil(options.commands / batchSize);
  for (let batch = 0; batch < batchCount; batch++) {
    const size = Math.min(batchSize, options.commands - batch * batchSize);
    const commands = Array.from({ length: size }, (_, i) =>
      randomCommand(random, options.hosts, `fault-${options.seed}-${batch * batchSize + i}`),
    );
    const due = started + (batch * options.durationMs) / batchCount;
    if (Date.now() < due) await sleep(due - Date.now());
    const body = JSON.stringify({ commands });
    for (let attempt = 0; ; attempt++) {
      let cause: string;
      try {
        const response = await fetch(`${options.baseUrl}/v1/commands:batch`, {
          method: 'POST',
          headers: { authorization: `Bearer ${options.token}`, 'content-type': 'application/json' },
          body,
          signal: AbortSignal.timeout(20_000),
        });
        if (response.status === 200) {
          const { results } = (await response.json()) as {
            results: Array<{ httpStatus: number; commandId?: string; status?: string }>;
          };
          for (const result of results) {
            if (result.commandId && result.status) stats.accepted.add(result.commandId);
            else stats.refused += 1;
          }
          break;
        }
        cause = `http ${response.status}`;
        await response.arrayBuffer().catch(() => undefined);
      } catch (error) {
        cause = causeOf(error);
      }
      stats.retries[cause] = (stats.retries[cause] ?? 0) + 1;
      if (attempt % 20 === 0) options.log?.(`batch ${batch} attempt ${attempt + 1} failed: ${cause}`);
      await sleep(Math.min(2000, 200 * (attempt + 1)));
    }
    stats.sent += size;
    stats.batches += 1;
  }
  return stats;
}
