/**
 * `node -r ./tools/register.js bench/peer/main.ts [--quick] [--runs N] [--workers N] [--pool N]
 * [--async-commit] [--sweep 4,8,16,32 [--projection] [--history N]]`: the Emmett peer comparison;
 * prints the table (bench/README.md format). `--async-commit`: `synchronous_commit = off`.
 * `--sweep` instead measures commands/s for each worker count (10 s each), without the projection
 * unless `--projection`, on empty streams unless `--history N` (commands per host appended first).
 */
import os from 'node:os';
import { formatTable } from '../report';
import { DEFAULT_WORKERS, dropScratchDatabases, measureEmmett, runEmmettWorkload } from './index';

const argument = (name: string) => {
  const index = process.argv.indexOf(name);
  return index > 0 ? process.argv[index + 1] : undefined;
};
const quick = process.argv.includes('--quick');
const runs = Number(argument('--runs') ?? (quick ? 1 : 3));
const workers = Number(argument('--workers') ?? DEFAULT_WORKERS);
const poolSize = Number(argument('--pool') ?? workers);
const sweep = argument('--sweep');
const asyncCommit = process.argv.includes('--async-commit');
const serverUrl = process.env.KLP_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const machine = `${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${os.cpus()[0]?.model ?? 'cpu'}`;

async function main(): Promise<void> {
  if (sweep) {
    for (const count of sweep.split(',').map(Number)) {
      const m = await measureEmmett({
        serverUrl,
        seconds: 10,
        warmupSeconds: 2,
        seed: 1,
        workers: count,
        poolSize: Number(argument('--pool') ?? count),
        projection: process.argv.includes('--projection'),
        history: Number(argument('--history') ?? 0),
        asyncCommit,
      });
      process.stdout.write(
        `workers ${count}: ${Math.round(m.commandsPerSecond)} commands/s, ` +
          `${Math.round(m.eventsPerSecond)} events/s, ${m.errors} errors\n`,
      );
    }
    return;
  }
  const { results, rows, context } = await runEmmettWorkload({
    quick,
    runs,
    serverUrl,
    workers,
    poolSize,
    asyncCommit,
  });
  const command = `node -r ./tools/register.js bench/peer/main.ts${quick ? ' --quick' : ''}${asyncCommit ? ' --async-commit' : ''}`;
  process.stdout.write(
    `\n${formatTable(rows, { runs, seconds: quick ? 15 : 60, workload: context, machine, command })}\n\n`,
  );
  process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void dropScratchDatabases().finally(() => process.exit(130));
  });
}

main().catch(async (error: unknown) => {
  console.error(error);
  await dropScratchDatabases();
  process.exit(1);
});
