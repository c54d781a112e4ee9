// Recovery on its own against the real broker: exact, and fenced against a zombie owner.
import { auditMembers, type AuditRecord, type CommandEnvelope, type HostEvent } from '@klp/contracts';
import { fold } from '@klp/domain';
import { isFencedError, PartitionReader } from '@klp/kafka';
import { commitBatch, type TransactionSetup } from './batch-transaction';
import { loadDeciderConfig } from './config';
import { Decider } from './decider';
import { createLogger } from './log';
import { recoverPartition, type RecoveryDeps } from './recovery';
import { TopicsFixture, type ReadRecord } from './testing/broker.spec-helper';
import { generateCommands } from './testing/commands.spec-helper';

const PARTITIONS = 2;
const log = createLogger('warn', 'decider');

describe('partition recovery against the real broker', () => {
  let fixture: TopicsFixture;
  let reader: PartitionReader;
  let deps: RecoveryDeps;
  const producers: { disconnect(): Promise<void> }[] = [];

  beforeAll(async () => {
    fixture = await TopicsFixture.create('recovery', PARTITIONS);
    reader = new PartitionReader(fixture.kafka, {
      groupId: `${fixture.prefix}recovery-reader`,
      topics: [fixture.topics.events, fixture.topics.audit, fixture.topics.snapshots],
    });
    await reader.start();
    deps = {
      kafka: fixture.kafka,
      admin: fixture.admin,
      reader,
      topics: fixture.topics,
      groupId: fixture.groupId,
      transactionalId: (partition) => `${fixture.groupId}-p${partition}`,
      log,
      heartbeat: () => Promise.resolve(),
    };
    // Some busy hosts (snapshotted often) and many quiet ones (one or two events, never `every`).
    const decider = new Decider({
      config: loadDeciderConfig(fixture.env({ KLP_SNAPSHOT_EVERY: '5', KLP_SNAPSHOT_MAX_REPLAY: '60' })),
      log,
    });
    await decider.start();
    await fixture.sendCommands(generateCommands({ seed: 3, runId: 'busy', hosts: 4, count: 300 }));
    await fixture.sendCommands(generateCommands({ seed: 4, runId: 'quiet', hosts: 40, count: 50 }));
    await fixture.sendCommands(
      generateCommands({ seed: 5, runId: 'busy', hosts: 4, count: 40 }).map((c, i) => ({
        ...c,
        commandId: `late-${i}`,
      })),
    );
    await fixture.waitUntilDecided();
    await decider.stop();
  });

  afterAll(async () => {
    await Promise.all(producers.map((producer) => producer.disconnect().catch(() => undefined)));
    await reader?.stop();
    await fixture?.close();
  });

  it('rebuilds every host exactly: the fold of its whole history, its audit head and its events offset', async () => {
    const events = await fixture.readAll(fixture.topics.events);
    const audit = await fixture.readAll(fixture.topics.audit);
    const parse = <T>(record: ReadRecord) => JSON.parse(record.value!.toString()) as T;
    let replayedSomewhere = false;
    for (let partition = 0; partition < PARTITIONS; partition++) {
      const recovered = await recoverPartition(deps, partition);
      producers.push(recovered.producer);
      replayedSomewhere ||= recovered.replayed > 0 && recovered.snapshots > 0;
      const mine = events.filter((record) => record.partition === partition);
      const hostIds = new Set(mine.map((record) => record.key!.toString()));
      expect(recovered.state.size).toBe(hostIds.size);
      for (const hostId of hostIds) {
        const history = mine.filter((record) => record.key!.toString() === hostId);
        const chain = audit
          .filter((record) => record.key!.toString() === hostId)
          .flatMap((r) => auditMembers(parse<unknown>(r)) as AuditRecord[]);
        const entry = recovered.state.entry(hostId)!;
        expect(entry.state).toEqual(
          fold(
            hostId,
            history.map((record) => parse<HostEvent>(record)),
          ),
        );
        expect(entry.audit).toEqual({ seq: chain.length, hash: chain[chain.length - 1]?.hash });
        expect(entry.eventsOffset).toBe(BigInt(history[history.length - 1].offset) + 1n);
      }
      // Recovery replayed from the checkpoint, not from the start of the partition.
      expect(recovered.replayed).toBeLessThan(mine.length);
    }
    expect(replayedSomewhere).toBe(true);
  });

  it("fences a zombie: the former owner's transaction fails and its state stays as it was", async () => {
    const setup: TransactionSetup = {
      topics: fixture.topics,
      groupId: fixture.groupId,
      app: 'decider',
      policy: { every: 5, maxReplay: 60 },
      now: () => new Date(),
    };
    const zombie = await recoverPartition(deps, 0);
    producers.push(zombie.producer);
    const owner = await recoverPartition(deps, 0); // a new owner: InitProducerId bumps the epoch
    producers.push(owner.producer);
    const command: CommandEnvelope = {
      commandId: 'zombie-1',
      hostId: 'zombie-host',
      type: 'HostBooted',
      payload: { kernelRelease: '6.1.0', modules: [] },
      actor: 'spec',
      issuedAt: '2026-11-27T12:00:00Z',
    };
    const record = {
      offset: String(zombie.state.nextOffset ?? 0n),
      key: Buffer.from(command.hostId),
      value: Buffer.from(JSON.stringify(command)),
    };
    const before = { next: zombie.state.nextOffset, size: zombie.state.size, end: zombie.state.end };
    const failure = await commitBatch(zombie.producer, zombie.state, [record], setup).then(
      () => null,
      (error: unknown) => error,
    );
    expect(isFencedError(failure)).toBe(true);
    expect({ next: zombie.state.nextOffset, size: zombie.state.size, end: zombie.state.end }).toEqual(before);
    expect(zombie.state.entry('zombie-host')).toBeUndefined();
    // The rightful owner decides the same record normally.
    const result = await commitBatch(owner.producer, owner.state, [record], setup);
    expect(result.decided.counts.accepted).toBe(1);
    expect(owner.state.entry('zombie-host')?.state.version).toBe(1);
  });
});
