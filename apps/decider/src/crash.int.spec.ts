// The decider as a real process, SIGKILLed at seeded random moments and restarted: exactly one
// outcome per command must survive. KLP_TEST_SEED replays a failing run.
import { TopicsFixture, waitFor } from './testing/broker.spec-helper';
import { generateCommands, seededRandom } from './testing/commands.spec-helper';
import { DeciderProcess } from './testing/process.spec-helper';
import { verifyStreams } from './testing/verify.spec-helper';

const SEED = Number(process.env.KLP_TEST_SEED ?? Math.floor(Math.random() * 2 ** 31));
const COMMANDS = 10_000;
const CHUNKS = 20;

describe('decider process killed with SIGKILL and restarted', () => {
  let fixture: TopicsFixture;
  const processes: DeciderProcess[] = [];

  beforeAll(async () => {
    fixture = await TopicsFixture.create('crash', 12);
  });

  afterAll(async () => {
    await Promise.all(processes.map((decider) => decider.stop('SIGKILL')));
    await fixture?.close();
  });

  const start = async (name: string) => {
    const decider = new DeciderProcess(
      name,
      fixture.env({
        KLP_SNAPSHOT_EVERY: '20',
        KLP_SNAPSHOT_MAX_REPLAY: '400',
        // Batches well under SNAPSHOT_EVERY per host (about 8 hosts a partition): with 250, a
        // backlogged decider gave every host of a batch 20+ events, so each batch snapshotted all
        // of them and a kill found no tail to replay (the check below failed under CI load).
        KLP_DECIDER_MAX_BATCH: '50',
        KLP_DECIDER_SESSION_TIMEOUT_MS: '6000',
        LOG_LEVEL: 'info',
      }),
    );
    processes.push(decider);
    await waitFor(`${name} to start`, () => decider.logged('decider started').length > 0 || !decider.running);
    if (!decider.running) throw new Error(decider.describe());
    return decider;
  };

  /** SIGKILLs `decider` as soon as the group has decided `target` commands: a moment mid-stream. */
  const killAt = async (decider: DeciderProcess, target: number) => {
    await waitFor(`${target} decided commands`, async () => (await fixture.decidedCount()) >= target, 90_000);
    decider.kill('SIGKILL');
    process.stdout.write(
      `SIGKILLed ${decider.name} after ${await fixture.decidedCount()} decided commands\n`,
    );
  };

  it(`decides 10,000 commands over 100 hosts exactly once across two crashes (seed ${SEED})`, async () => {
    process.stdout.write(`crash.int.spec seed: ${SEED} (KLP_TEST_SEED=${SEED} replays it)\n`);
    const random = seededRandom(SEED);
    const commands = generateCommands({
      seed: SEED,
      runId: 'crash',
      hosts: 100,
      count: COMMANDS,
      repeatRate: 0.02,
    });
    const firstKill = 1500 + Math.floor(random() * 3500);
    const secondKill = firstKill + 500 + Math.floor(random() * 3000);

    const first = await start('first');
    const producing = (async () => {
      const chunk = COMMANDS / CHUNKS;
      for (let i = 0; i < CHUNKS; i++) await fixture.sendCommands(commands.slice(i * chunk, (i + 1) * chunk));
    })();
    await killAt(first, firstKill);
    const second = await start('second');
    await killAt(second, secondKill);
    const third = await start('third');
    await producing;
    await fixture.waitUntilDecided(120_000);

    const problems = verifyStreams(
      commands,
      await fixture.readAll(fixture.topics.events),
      await fixture.readAll(fixture.topics.audit),
    );
    expect(problems.slice(0, 20)).toEqual([]);
    // The restarts took over from snapshots plus a replayed tail, not from nothing.
    const recoveries = [...second.logged('partition recovered'), ...third.logged('partition recovered')];
    expect(recoveries.some((line) => Number(line.snapshots) > 0 && Number(line.replayed) > 0)).toBe(true);
    expect(await third.stop('SIGTERM')).toEqual({ code: 0, signal: null });
    expect(third.logged('stopped')).toHaveLength(1);
  });
});
