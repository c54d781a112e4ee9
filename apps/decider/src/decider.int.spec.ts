// The decider in this process against the real broker, on topics of its own (a unique prefix).
import type { CommandEnvelope, DeadLetter, HostEvent } from '@klp/contracts';
import { loadDeciderConfig } from './config';
import { Decider } from './decider';
import { createLogger } from './log';
import { TopicsFixture } from './testing/broker.spec-helper';
import { generateCommands } from './testing/commands.spec-helper';
import { verifyStreams } from './testing/verify.spec-helper';

const PARTITIONS = 3;

function startDecider(fixture: TopicsFixture): Promise<Decider> {
  const config = loadDeciderConfig(
    fixture.env({
      KLP_SNAPSHOT_EVERY: '4',
      KLP_SNAPSHOT_MAX_REPLAY: '40',
      KLP_DECIDER_SESSION_TIMEOUT_MS: '6000',
    }),
  );
  const decider = new Decider({ config, log: createLogger('warn', 'decider') });
  return decider.start().then(() => decider);
}

const command = (hostId: string, commandId: string, type: string, payload: unknown): CommandEnvelope =>
  ({
    commandId,
    hostId,
    type,
    payload,
    actor: 'spec',
    issuedAt: '2026-11-27T12:00:00.000Z',
  }) as CommandEnvelope;

describe('decider (in process) against the real broker', () => {
  let fixture: TopicsFixture;
  let decider: Decider | undefined;
  const sent: CommandEnvelope[] = [];

  const send = async (commands: CommandEnvelope[]) => {
    sent.push(...commands);
    await fixture.sendCommands(commands);
  };
  const events = async () =>
    (await fixture.readAll(fixture.topics.events)).map(
      (record) => JSON.parse(record.value!.toString()) as HostEvent,
    );

  beforeAll(async () => {
    fixture = await TopicsFixture.create('decider', PARTITIONS);
    decider = await startDecider(fixture);
  });

  afterAll(async () => {
    await decider?.stop();
    await fixture?.close();
  });

  it("appends a command's events once, with gapless versions per host and audit records that chain", async () => {
    await send(generateCommands({ seed: 7, runId: 'once', hosts: 6, count: 120 }));
    await fixture.waitUntilDecided();
    const problems = verifyStreams(
      sent,
      await fixture.readAll(fixture.topics.events),
      await fixture.readAll(fixture.topics.audit),
    );
    expect(problems).toEqual([]);
  });

  it('appends nothing for a repeated commandId', async () => {
    const boot = command('dup-host', 'dup-1', 'HostBooted', { kernelRelease: '6.1.0', modules: [] });
    await send([boot]);
    await fixture.waitUntilDecided();
    await send([boot, command('dup-host', 'dup-2', 'ModuleComing', { module: 'xfs' })]);
    await fixture.waitUntilDecided();
    const mine = (await events()).filter((event) => event.hostId === 'dup-host');
    expect(mine.map((event) => [event.commandId, event.type, event.version])).toEqual([
      ['dup-1', 'HostBooted', 1],
      ['dup-2', 'ModuleLoaded', 2],
    ]);
  });

  it('sends poison records to klp.dlq and still decides the next command on their partition', async () => {
    const next = command('poison-host', 'after-poison', 'HostBooted', {
      kernelRelease: '6.1.0',
      modules: [],
    });
    await fixture.sendRaw([
      { key: 'poison-host', value: 'this is not JSON' },
      {
        key: 'poison-host',
        value: JSON.stringify({ ...next, commandId: 'wrong-key', hostId: 'other-host' }),
      },
      { key: 'poison-host', value: JSON.stringify({ ...next, commandId: 'no type', type: undefined }) },
      { key: 'poison-host', value: Buffer.from([0xff, 0xfe, 0x00]) },
    ]);
    await send([next]);
    await fixture.waitUntilDecided();
    const letters = (await fixture.readAll(fixture.topics.dlq)).map(
      (record) => JSON.parse(record.value!.toString()) as DeadLetter,
    );
    expect(letters.map((letter) => [letter.sourceTopic, letter.key, letter.valueEncoding])).toEqual([
      [fixture.topics.commands, 'poison-host', 'utf8'],
      [fixture.topics.commands, 'poison-host', 'utf8'],
      [fixture.topics.commands, 'poison-host', 'utf8'],
      [fixture.topics.commands, Buffer.from('poison-host').toString('base64'), 'base64'],
    ]);
    expect(letters[0].error).toMatch(/not JSON/);
    expect(letters[1].error).toMatch(/record key "poison-host" is not the hostId "other-host"/);
    expect(letters[2].error).toMatch(/commandId must be/);
    expect(letters.every((letter) => letter.app === 'decider')).toBe(true);
    const outcome = (await events()).filter((event) => event.commandId === 'after-poison');
    expect(outcome.map((event) => event.type)).toEqual(['HostBooted']);
  });

  it('recovers every host exactly after a restart: versions, command memory and audit chains go on', async () => {
    await decider?.stop();
    decider = await startDecider(fixture);
    // Old commandIds are remembered (nothing appended), new ones continue each host's stream.
    const more = generateCommands({ seed: 8, runId: 'once', hosts: 6, count: 60 }).map((c, i) =>
      i % 10 === 0 ? sent[i] : { ...c, commandId: `after-restart-${i}` },
    );
    await send(more);
    await fixture.waitUntilDecided();
    const problems = verifyStreams(
      sent,
      await fixture.readAll(fixture.topics.events),
      await fixture.readAll(fixture.topics.audit),
    );
    expect(problems).toEqual([]);
    const snapshots = await fixture.readAll(fixture.topics.snapshots);
    expect(snapshots.some((record) => record.key?.toString() === '#checkpoint')).toBe(true);
    expect(snapshots.some((record) => record.key?.toString().startsWith('once-host-'))).toBe(true);
  });
});
