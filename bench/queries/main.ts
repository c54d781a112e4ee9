/**
 * `node -r ./tools/register.js bench/queries/main.ts [--quick] [--runs N]`: the query benchmarks on
 * their own, printed as the table of bench/README.md (results on stderr's last line as JSON).
 */
import os from 'node:os';
import { formatTable } from '../report';
import { runQueryWorkload } from './index';

const quick = process.argv.includes('--quick');
const runsIndex = process.argv.indexOf('--runs');
const runs = runsIndex > 0 ? Number(process.argv[runsIndex + 1]) : 1;
const serverUrl = process.env.KLP_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

async function main(): Promise<void> {
  const { results, rows, context } = await runQueryWorkload({ quick, runs, serverUrl });
  const machine = `${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${os.cpus()[0]?.model ?? 'cpu'}`;
  const command = `node -r ./tools/register.js bench/queries/main.ts${quick ? ' --quick' : ''}`;
  process.stdout.write(
    `\n${formatTable(rows, { runs, seconds: 0, workload: context, machine, command })}\n\n`,
  );
  process.stdout.write(`${JSON.stringify({ ...results, mode: quick ? 'quick' : 'full' }, null, 2)}\n`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
