import { prng } from '../../bench/workload';
import { APPS, type AppName, type FaultStack } from './fault-stack';
import { brokerKill, brokerUp, postgresStart, postgresStop } from './infra';

export const FAULT_KINDS = ['decider', 'projector', 'api', 'broker', 'postgres'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface PlannedFault {
  kind: FaultKind;
  /** When to inject it, from the start of the load. */
  atMs: number;
  /** How long the target stays down before it is restarted. */
  downMs: number;
}

export interface FaultRecord extends PlannedFault {
  startedMs: number;
  /** Time from the restart to `/health/ready` answering 200 again; null when it never did. */
  recoveredMs: number | null;
  probes: ProbeStats;
}

export interface ProbeStats {
  ready: number;
  /** `/health/ready` answers that were not a 503 naming the dependency. */
  readyWrong: string[];
  worstReadyMs: number;
  posts: number;
  postStatuses: Record<string, number>;
  worstPostMs: number;
  /** Probe commands the api accepted (202) while the dependency was down. */
  accepted: string[];
}

/** The same seed gives the same faults at the same moments: kinds shuffled, one per time slot. */
export function planFaults(seed: number, targets: readonly FaultKind[], durationMs: number): PlannedFault[] {
  const random = prng(seed ^ 0x5eed);
  const rounds = Math.max(1, Math.round(durationMs / 150_000));
  const kinds = Array.from({ length: rounds }, () => [...targets]).flat();
  for (let i = kinds.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [kinds[i], kinds[j]] = [kinds[j], kinds[i]];
  }
  const slot = (durationMs * 0.85) / Math.max(1, kinds.length);
  return kinds.map((kind, i) => ({
    kind,
    atMs: Math.round(durationMs * 0.05 + slot * i + random() * slot * 0.4),
    downMs: Math.round((kind === 'broker' || kind === 'postgres' ? 2000 : 300) + random() * 3000),
  }));
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Probes the api every 300 ms until `stop` resolves: ready must be a quick 503 naming `dependency`. */
async function probeWhileDown(stack: FaultStack, dependency: string, tag: string, stop: Promise<void>) {
  const stats: ProbeStats = {
    ready: 0,
    readyWrong: [],
    worstReadyMs: 0,
    posts: 0,
    postStatuses: {},
    worstPostMs: 0,
    accepted: [],
  };
  let done = false;
  void stop.then(() => (done = true));
  const headers = { authorization: `Bearer ${stack.token}`, 'content-type': 'application/json' };
  // Two loops side by side: a command POST may take up to the api's 5 s send deadline, and
  // readiness is sampled meanwhile.
  const readiness = async () => {
    while (!done) {
      const started = Date.now();
      try {
        const response = await fetch(`${stack.baseUrl}/health/ready`, {
          signal: AbortSignal.timeout(10_000),
        });
        const body = (await response.json()) as { dependencies?: Array<{ name: string; ok: boolean }> };
        const named = body.dependencies?.some((d) => d.name === dependency && !d.ok);
        if (response.status !== 503 || !named)
          stats.readyWrong.push(`${response.status} ${JSON.stringify(body)}`);
      } catch (error) {
        stats.readyWrong.push(String(error));
      }
      stats.ready += 1;
      stats.worstReadyMs = Math.max(stats.worstReadyMs, Date.now() - started);
      await sleep(250);
    }
  };
  const commands = async () => {
    for (let n = 0; !done; n++) {
      const started = Date.now();
      const commandId = `probe-${tag}-${n}`;
      let status = 'error';
      try {
        const response = await fetch(`${stack.baseUrl}/v1/commands`, {
          method: 'POST',
          headers,
          body: JSON.stringify({
            commandId,
            hostId: 'sim-fault-probe',
            type: 'HostBooted',
            payload: { kernelRelease: '4.19.0-27-amd64', modules: [] },
          }),
          signal: AbortSignal.timeout(15_000),
        });
        status = String(response.status);
        await response.arrayBuffer();
      } catch (error) {
        status = (error as Error).name;
      }
      if (status === '202' || status === '200') stats.accepted.push(commandId);
      stats.posts += 1;
      stats.postStatuses[status] = (stats.postStatuses[status] ?? 0) + 1;
      stats.worstPostMs = Math.max(stats.worstPostMs, Date.now() - started);
      await sleep(250);
    }
  };
  await Promise.all([readiness(), commands()]);
  return stats;
}

/** Injects one fault and brings the target back; resolves once the api is ready again (or gave up). */
export async function inject(stack: FaultStack, fault: PlannedFault, startedMs: number, tag: string) {
  let probes: ProbeStats | undefined;
  if ((APPS as readonly string[]).includes(fault.kind)) {
    const app = fault.kind as AppName;
    await stack.kill(app);
    await sleep(fault.downMs);
    stack.start(app);
  } else {
    const dependency = fault.kind === 'broker' ? 'kafka' : 'postgres';
    if (fault.kind === 'broker') await brokerKill();
    else await postgresStop();
    let release = () => undefined as void;
    const stop = new Promise<void>((resolve) => (release = resolve));
    await sleep(300);
    const probing = probeWhileDown(stack, dependency, tag, stop);
    await sleep(fault.downMs);
    release();
    probes = await probing;
    if (fault.kind === 'broker') await brokerUp();
    else await postgresStart();
  }
  const recoveredMs = await stack.waitReady(120_000).catch(() => null);
  const record: FaultRecord = {
    ...fault,
    startedMs,
    recoveredMs,
    probes: probes ?? {
      ready: 0,
      readyWrong: [],
      worstReadyMs: 0,
      posts: 0,
      postStatuses: {},
      worstPostMs: 0,
      accepted: [],
    },
  };
  return record;
}

/** Runs the plan against the clock started at `t0`; a fault due while another runs waits for it. */
export async function runFaults(stack: FaultStack, plan: readonly PlannedFault[], t0: number, seed: number) {
  const records: FaultRecord[] = [];
  for (const [i, fault] of plan.entries()) {
    const wait = t0 + fault.atMs - Date.now();
    if (wait > 0) await sleep(wait);
    records.push(await inject(stack, fault, Date.now() - t0, `${seed}-${i}`));
  }
  return records;
}
