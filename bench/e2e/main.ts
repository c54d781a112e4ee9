/**
 * `node -r ./tools/register.js bench/e2e/main.ts [--quick] [--runs N] [--hosts N]`
 * (`--diagnose RATExSECONDS`: only the prefill and one traced phase, for development): the end-to-end latency
 * benchmark alone, against the broker at KAFKA_BROKERS (default 127.0.0.1:19092) and the Postgres
 * server at KLP_BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres). Prints
 * the table, the latency breakdown, the results and the chart series.
 */
import { formatTable } from '../report';
import { machine, runEndToEndWorkload } from './index';
import { stopAllStacks } from './stack';

const argument = (name: string) => {
  const index = process.argv.indexOf(name);
  return index > 0 ? process.argv[index + 1] : undefined;
};

async function main(): Promise<void> {
  const quick = process.argv.includes('--quick');
  const runs = Number(argument('--runs') ?? (quick ? 1 : 3));
  const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:19092').split(',');
  const serverUrl = process.env.KLP_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const hosts = argument('--hosts') ? Number(argument('--hosts')) : undefined;
  const diagnose = argument('--diagnose')?.split('x').map(Number);
  const outcome = await runEndToEndWorkload({
    quick,
    runs,
    brokers,
    serverUrl,
    hosts,
    diagnose: diagnose ? { rate: diagnose[0], seconds: diagnose[1] ?? 10 } : undefined,
  });
  if (diagnose) return;
  const table = formatTable(outcome.rows, {
    runs: quick ? 1 : runs,
    seconds: quick ? 10 : 30,
    workload: outcome.context,
    machine: machine(),
    command: `node -r ./tools/register.js bench/e2e/main.ts${quick ? ' --quick' : ''}`,
  });
  process.stdout.write(`\n${table}\n\n**Latency breakdown at 200 commands/s**\n\n${outcome.breakdown}\n\n`);
  process.stdout.write(
    `results: ${JSON.stringify(outcome.results)}\nseries: ${JSON.stringify(outcome.series)}\n`,
  );
}

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`${signal}: stopping the stack, dropping its database and topics\n`);
    void stopAllStacks().finally(() => process.exit(130));
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
