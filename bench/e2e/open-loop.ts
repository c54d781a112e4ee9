import http from 'node:http';
import { performance } from 'node:perf_hooks';

/** What became of one scheduled request. */
export interface Outcome {
  /** Scheduled send time and the times it was really sent and answered (performance.now(), ms). */
  scheduled: number;
  sent: number;
  answered: number;
  status: number;
  /** accepted / rejected: the system's answer; error: any other status, a refused connection; timeout: no answer. */
  kind: 'accepted' | 'rejected' | 'error' | 'timeout';
  /** The rejection's errno or the error's text. */
  detail?: string;
}

export interface Request {
  method: 'GET' | 'POST';
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

export interface PhaseResult {
  rate: number;
  seconds: number;
  outcomes: Outcome[];
}

export interface LatencyStats {
  rate: number;
  requests: number;
  /** Latency from the scheduled send time to the answer, every request included (errors at their answer time). */
  p50: number;
  p95: number;
  p99: number;
  max: number;
  accepted: number;
  rejected: number;
  errors: number;
  timeouts: number;
  /** How late the generator itself sent (sent - scheduled): the share of the latency that is the client's. */
  sendLagP99: number;
  /** Requests per second really answered over the phase. */
  achieved: number;
  statuses: Record<string, number>;
}

/**
 * An open-loop load generator: the send times are fixed up front (evenly spaced at `rate`), each
 * request leaves at its time whether or not the earlier ones were answered, and its latency runs
 * from the scheduled time, so a stall of the server shows in full (no coordinated omission).
 * node:http with keep-alive connections (Node's fetch cannot be given a pool without undici).
 */
export class OpenLoopClient {
  private readonly agent: http.Agent;
  private readonly url: URL;

  constructor(
    baseUrl: string,
    private readonly timeoutMs = 15_000,
  ) {
    this.url = new URL(baseUrl);
    this.agent = new http.Agent({ keepAlive: true, maxSockets: 2048, maxFreeSockets: 2048, timeout: 60_000 });
  }

  close(): void {
    this.agent.destroy();
  }

  async phase(
    rate: number,
    requests: Request[],
    onAnswer?: (index: number, outcome: Outcome) => void,
  ): Promise<PhaseResult> {
    const interval = 1000 / rate;
    const start = performance.now() + 20;
    const outcomes: Outcome[] = new Array<Outcome>(requests.length);
    const pending: Array<Promise<void>> = [];
    let next = 0;
    await new Promise<void>((resolve) => {
      const tick = () => {
        const now = performance.now();
        while (next < requests.length && start + next * interval <= now) {
          const index = next++;
          const scheduled = start + index * interval;
          pending.push(
            this.send(requests[index], scheduled).then((outcome) => {
              outcomes[index] = outcome;
              onAnswer?.(index, outcome);
            }),
          );
        }
        if (next >= requests.length) return resolve();
        setTimeout(tick, Math.max(0, start + next * interval - performance.now()));
      };
      tick();
    });
    await Promise.all(pending);
    return { rate, seconds: requests.length / rate, outcomes };
  }

  private send(request: Request, scheduled: number): Promise<Outcome> {
    return new Promise((resolve) => {
      const sent = performance.now();
      let settled = false;
      const finish = (outcome: Omit<Outcome, 'scheduled' | 'sent' | 'answered'>) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve({ scheduled, sent, answered: performance.now(), ...outcome });
      };
      const body = request.body === undefined ? undefined : Buffer.from(request.body);
      const outgoing = http.request(
        {
          agent: this.agent,
          host: this.url.hostname,
          port: this.url.port,
          method: request.method,
          path: request.path,
          headers: {
            ...request.headers,
            ...(body ? { 'content-type': 'application/json', 'content-length': String(body.length) } : {}),
          },
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('error', (error) => finish({ status: 0, kind: 'error', detail: error.message }));
          response.on('end', () => {
            const status = response.statusCode ?? 0;
            if (status >= 200 && status < 300) return finish({ status, kind: 'accepted' });
            if (status === 504) return finish({ status, kind: 'timeout' });
            let answer: { status?: string; errno?: string; error?: string } = {};
            try {
              answer = JSON.parse(Buffer.concat(chunks).toString('utf8')) as typeof answer;
            } catch {
              // not JSON: an error
            }
            if (answer.status === 'rejected')
              return finish({ status, kind: 'rejected', detail: answer.errno });
            finish({ status, kind: 'error', detail: answer.error ?? `HTTP ${status}` });
          });
        },
      );
      const timer = setTimeout(() => {
        finish({ status: 0, kind: 'timeout', detail: `no answer in ${this.timeoutMs} ms` });
        outgoing.destroy();
      }, this.timeoutMs);
      outgoing.on('error', (error) => finish({ status: 0, kind: 'error', detail: error.message }));
      outgoing.end(body);
    });
  }
}

/** The q-quantile (nearest rank) of ascending values. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

export function latencyStats(phase: PhaseResult): LatencyStats {
  const { outcomes } = phase;
  const latencies = outcomes.map((outcome) => outcome.answered - outcome.scheduled).sort((a, b) => a - b);
  const lags = outcomes.map((outcome) => outcome.sent - outcome.scheduled).sort((a, b) => a - b);
  const count = (kind: Outcome['kind']) => outcomes.filter((outcome) => outcome.kind === kind).length;
  const statuses: Record<string, number> = {};
  for (const outcome of outcomes) {
    const key = outcome.status === 0 ? (outcome.detail ?? 'no answer') : String(outcome.status);
    statuses[key] = (statuses[key] ?? 0) + 1;
  }
  const first = Math.min(...outcomes.map((outcome) => outcome.scheduled));
  const last = Math.max(...outcomes.map((outcome) => outcome.answered));
  return {
    rate: phase.rate,
    requests: outcomes.length,
    p50: quantile(latencies, 0.5),
    p95: quantile(latencies, 0.95),
    p99: quantile(latencies, 0.99),
    max: latencies[latencies.length - 1] ?? Number.NaN,
    accepted: count('accepted'),
    rejected: count('rejected'),
    errors: count('error'),
    timeouts: count('timeout'),
    sendLagP99: quantile(lags, 0.99),
    achieved: outcomes.length / ((last - first) / 1000),
    statuses,
  };
}
