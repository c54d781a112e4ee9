/**
 * The fleet simulator: N simulated hosts that report to the api like real livepatch agents, and,
 * given an operator token, an operator script that rolls patches out across them in waves.
 */
import { ConfigError } from '@klp/config';
import { loadFleetSimConfig, type FleetSimConfig } from './config';
import { DEMO_PATCHES, simulatedFleet } from './core/fleet';
import { SimOperator } from './core/operator';
import { AgentsRunner } from './shell/agents-runner';
import { ApiClient, sleep, type Log } from './shell/api-client';
import { OperatorRunner } from './shell/operator-runner';
import { Sender } from './shell/sender';
import { Stats } from './shell/stats';

const RANK = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60, silent: 99 } as const;

function logger(level: keyof typeof RANK): Log {
  return (at, message) => {
    if (RANK[at] < RANK[level]) return;
    const line = JSON.stringify({
      level: at,
      time: new Date().toISOString(),
      app: 'fleet-sim',
      msg: message,
    });
    (at === 'info' ? process.stdout : process.stderr).write(`${line}\n`);
  };
}

async function readiness(baseUrl: string): Promise<string> {
  try {
    const response = await fetch(`${baseUrl}/health/ready`, { signal: AbortSignal.timeout(3000) });
    return response.ok ? 'ready' : `HTTP ${response.status}`;
  } catch {
    return 'unreachable';
  }
}

async function run(config: FleetSimConfig): Promise<void> {
  const log = logger(config.LOG_LEVEL);
  // `npm start` stops every app when one exits, so a simulator with nothing to do stays idle.
  if (config.KLP_SIM_HOSTS === 0 || !config.KLP_SIM_TOKEN) {
    log(
      'warn',
      config.KLP_SIM_HOSTS === 0 ? 'KLP_SIM_HOSTS=0: no simulated fleet' : 'no KLP_SIM_TOKEN: idle',
    );
    return untilSignal(() => undefined);
  }
  const runId = `sim${Date.now().toString(36)}`;
  const stats = new Stats();
  const agentApi = new ApiClient(config.KLP_API_URL, config.KLP_SIM_TOKEN, log);
  const agentSender = new Sender(agentApi, runId, config.KLP_SIM_CONCURRENCY, stats, log);
  const fleet = simulatedFleet(config.KLP_SIM_HOSTS, config.KLP_SIM_SEED);
  const behaviour = { stallShare: config.KLP_SIM_STALL_SHARE, failShare: config.KLP_SIM_FAIL_SHARE };
  const agents = new AgentsRunner(
    fleet,
    config.KLP_SIM_SEED,
    behaviour,
    agentApi,
    agentSender,
    stats,
    log,
    config.KLP_SIM_POLL_MS,
  );

  while ((await readiness(config.KLP_API_URL)) !== 'ready') await sleep(1000);
  log(
    'info',
    `booting ${fleet.length} simulated hosts (seed ${config.KLP_SIM_SEED}) against ${config.KLP_API_URL}`,
  );
  agents.start();

  let operator: OperatorRunner | undefined;
  let operatorSender: Sender | undefined;
  const stoppers: Array<() => void> = [() => agents.stop(), () => agentSender.stop()];
  if (config.operatorEnabled && config.KLP_OPERATOR_TOKEN) {
    const operatorApi = new ApiClient(config.KLP_API_URL, config.KLP_OPERATOR_TOKEN, log);
    operatorSender = new Sender(operatorApi, `${runId}op`, 2, stats, log);
    const startAt = Date.now();
    while (agents.booted() < fleet.length && Date.now() - startAt < 120_000) await sleep(500);
    const schedule = new SimOperator(
      fleet.map((host) => host.hostId),
      config.KLP_SIM_SEED,
      { patches: DEMO_PATCHES, waveSeconds: config.KLP_SIM_WAVE_SECONDS },
      Date.now(),
    );
    const everyMs = Math.min(5000, (config.KLP_SIM_WAVE_SECONDS * 1000) / 4);
    const names = DEMO_PATCHES.map((patch) => patch.name);
    operator = new OperatorRunner(
      schedule,
      names,
      operatorApi,
      operatorSender,
      stats,
      log,
      config.KLP_SIM_STALL_LIMIT_SECONDS,
      everyMs,
    );
    operator.start();
    stoppers.push(
      () => operator?.stop(),
      () => operatorSender?.stop(),
    );
    log('info', `operator script on: ${names.join(', ')} in waves every ${config.KLP_SIM_WAVE_SECONDS}s`);
  }

  const summary = setInterval(() => {
    void readiness(config.KLP_API_URL).then((ready) => {
      const window = stats.window();
      const inFlight = agents.agents.filter((agent) => agent.inTransition).length;
      const stalled = agents.agents.filter((agent) => agent.stalled).length;
      const rejected = [...stats.rejected].map(([key, count]) => `${key}=${count}`).join(' ') || 'none';
      log(
        'info',
        `hosts ${agents.booted()}/${fleet.length} | ${window.perSecond.toFixed(0)} cmd/s | send→visible p50 ${window.p50} ms ` +
          `p95 ${window.p95} ms | transitions ${inFlight} (stalled ${stalled}) seen ${stats.transitionsSeen} ` +
          `completed ${stats.transitionsCompleted} | accepted ${stats.accepted} rejected ${rejected} | ` +
          `queue ${agentSender.queued + (operatorSender?.queued ?? 0)} retries ${agentApi.retries} | api ${ready}`,
      );
    });
  }, config.KLP_SIM_SUMMARY_SECONDS * 1000);
  stoppers.push(() => clearInterval(summary));

  await untilSignal(() => {
    stoppers.forEach((stopper) => stopper());
    log('info', 'stopped');
  });
}

function untilSignal(onStop: () => void): Promise<void> {
  return new Promise<void>((resolve) => {
    const stop = () => {
      onStop();
      resolve();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}

let config: FleetSimConfig;
try {
  config = loadFleetSimConfig(process.env);
} catch (error) {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
}
run(config).then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
