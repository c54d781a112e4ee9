// Two decider processes in one group: when one dies (SIGKILL) or freezes past its session (SIGSTOP,
// a zombie), the other takes its partitions over, and the zombie's late transactions are fenced.
import { TopicsFixture, waitFor } from './testing/broker.spec-helper';
import { generateCommands, seededRandom } from './testing/commands.spec-helper';
import { DeciderProcess } from './testing/process.spec-helper';
import { verifyStreams } from './testing/verify.spec-helper';

const SEED = Number(process.env.KLP_TEST_SEED ?? Math.floor(Math.random() * 2 ** 31));
const PARTITIONS = 12;

function assignment(decider: DeciderProcess): number[] {
  const joins = decider.logged('partitions assigned');
  return (joins[joins.length - 1]?.partitions as number[] | undefined) ?? [];
}

describe.each([
  ['dies (SIGKILL)', 'SIGKILL'],
  ['freezes past its session and comes back (SIGSTOP, SIGCONT)', 'SIGSTOP'],
] as const)('two deciders in one group, one %s', (_, signal) => {
  let fixture: TopicsFixture;
  const processes: DeciderProcess[] = [];

  beforeAll(async () => {
    fixture = await TopicsFixture.create('takeover', PARTITIONS);
  });

  afterAll(async () => {
    for (const decider of processes) decider.kill('SIGCONT');
    await Promise.all(processes.map((decider) => decider.stop('SIGKILL')));
    await fixture?.close();
  });

  const start = (name: string) => {
    const decider = new DeciderProcess(
      name,
      fixture.env({
        KLP_SNAPSHOT_EVERY: '25',
        KLP_SNAPSHOT_MAX_REPLAY: '500',
        KLP_DECIDER_MAX_BATCH: '200',
        KLP_DECIDER_SESSION_TIMEOUT_MS: '6000',
        LOG_LEVEL: 'info',
      }),
    );
    processes.push(decider);
    return decider;
  };

  it(`the other takes its partitions over with no duplicate (seed ${SEED})`, async () => {
    process.stdout.write(`takeover.int.spec (${signal}) seed: ${SEED}\n`);
    const random = seededRandom(SEED);
    const commands = generateCommands({
      seed: SEED,
      runId: `takeover`,
      hosts: 60,
      count: 6000,
      repeatRate: 0.02,
    });
    const survivor = start('survivor');
    const victim = start('victim');
    await waitFor('both deciders to share the partitions', () => {
      const [a, b] = [assignment(survivor), assignment(victim)];
      return (
        a.length > 0 &&
        b.length > 0 &&
        new Set([...a, ...b]).size === PARTITIONS &&
        a.length + b.length === PARTITIONS
      );
    });
    const victimPartitions = assignment(victim);

    const producing = (async () => {
      for (let i = 0; i < 12; i++) await fixture.sendCommands(commands.slice(i * 500, (i + 1) * 500));
    })();
    const target = 1000 + Math.floor(random() * 2500);
    await waitFor(`${target} decided commands`, async () => (await fixture.decidedCount()) >= target, 90_000);
    const beforeKill = survivor.lines.length;
    victim.kill(signal);
    process.stdout.write(`${signal} to the victim after ${await fixture.decidedCount()} decided commands\n`);

    await waitFor(
      "the survivor to recover the victim's partitions",
      () => {
        const recovered = new Set(
          survivor.logged('partition recovered', beforeKill).map((line) => line.partition as number),
        );
        return victimPartitions.every((partition) => recovered.has(partition));
      },
      60_000,
    );
    if (signal === 'SIGSTOP') {
      // Let the survivor commit on the taken-over partitions, then wake the zombie up mid-batch.
      // On a loaded machine the survivor may already have decided everything by now: then the
      // zombie wakes up with nothing left but its own stale batch, which must still be fenced.
      const now = await fixture.decidedCount();
      const goal = Math.min(now + 200, commands.length);
      await waitFor('the survivor to go on', async () => (await fixture.decidedCount()) >= goal, 60_000);
      victim.kill('SIGCONT');
    }
    await producing;
    await fixture.waitUntilDecided(120_000);

    const problems = verifyStreams(
      commands,
      await fixture.readAll(fixture.topics.events),
      await fixture.readAll(fixture.topics.audit),
    );
    expect(problems.slice(0, 20)).toEqual([]);
    if (signal === 'SIGSTOP') {
      const fenced = victim.logged('batch transaction failed').filter((line) => line.fenced === true).length;
      process.stdout.write(`the zombie had ${fenced} fenced transaction(s)\n`);
    }
    await Promise.all([survivor.stop('SIGTERM'), victim.stop('SIGTERM')]);
    // Its own waits allow up to 120 s to drain on a loaded 2-core machine: the test must outlast them.
  }, 240_000);
});
