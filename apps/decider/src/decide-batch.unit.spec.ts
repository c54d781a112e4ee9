import type { CommandEnvelope } from '@klp/contracts';
import { decide } from '@klp/domain';
import { decideBatch, type CommandRecord } from './decide-batch';
import { BatchWork, PartitionState } from './partition-state';

let offset = 0;
const record = (command: CommandEnvelope, key: string | undefined = command.hostId): CommandRecord => ({
  offset: String(offset++),
  key: key === undefined ? null : Buffer.from(key),
  value: Buffer.from(JSON.stringify(command)),
});
const cmd = (commandId: string, type: string, payload: unknown, hostId = 'h1') =>
  record({
    commandId,
    hostId,
    type,
    payload,
    actor: 'ops',
    issuedAt: '2026-11-27T12:00:00Z',
  } as CommandEnvelope);
const emptyPartition = () =>
  new PartitionState(0, new Map(), new Map(), { events: 0n, audit: 0n }, null, null);

describe('decideBatch', () => {
  it('gives each command one outcome: its events, one CommandRejected, or nothing for a repeat', () => {
    const work = new BatchWork(emptyPartition());
    const boot = cmd('c1', 'HostBooted', { kernelRelease: '6.1.0', modules: [] });
    const result = decideBatch(work, [boot, cmd('c2', 'EnablePatch', { patch: 'nope' }), boot]);
    expect(result.counts).toEqual({ accepted: 1, rejected: 1, duplicate: 1, dead: 0 });
    expect(result.events.map((event) => JSON.parse(event.value) as { type: string })).toEqual([
      expect.objectContaining({ type: 'HostBooted', version: 1, commandId: 'c1' }),
      expect.objectContaining({ type: 'CommandRejected', version: 1, commandId: 'c2' }),
    ]);
    expect(result.events.map((event) => event.commandType)).toEqual(['HostBooted', 'EnablePatch']);
    expect(work.get('h1').state.version).toBe(1);
    expect(work.base.entry('h1')).toBeUndefined();
  });

  it('dead-letters a poison record and decides the next one', () => {
    const work = new BatchWork(emptyPartition());
    const poison: CommandRecord = { offset: '7', key: Buffer.from('h1'), value: Buffer.from('{oops') };
    const result = decideBatch(work, [
      poison,
      cmd('c1', 'HostBooted', { kernelRelease: '6.1.0', modules: [] }),
    ]);
    expect(result.deadLetters).toEqual([{ record: poison, error: expect.stringMatching(/not JSON/) }]);
    expect(result.counts).toMatchObject({ accepted: 1, dead: 1 });
  });

  it('dead-letters a command whose decide throws (a bug), keeps the host as it was, and goes on', () => {
    const work = new BatchWork(emptyPartition());
    const exploding = (command: CommandEnvelope, state: Parameters<typeof decide>[1]) => {
      if (command.commandId === 'boom') throw new TypeError('cannot read properties of undefined');
      return decide(command, state);
    };
    const result = decideBatch(
      work,
      [
        cmd('c1', 'HostBooted', { kernelRelease: '6.1.0', modules: [] }),
        cmd('boom', 'ModuleComing', { module: 'xfs' }),
        cmd('c3', 'ModuleComing', { module: 'ext4' }),
      ],
      exploding,
    );
    expect(result.deadLetters.map((letter) => letter.error)).toEqual([
      'deciding the command failed: TypeError: cannot read properties of undefined',
    ]);
    expect(result.counts).toEqual({ accepted: 2, rejected: 0, duplicate: 0, dead: 1 });
    expect(work.get('h1').state.loadedModules).toEqual(['ext4']);
    expect(work.get('h1').state.version).toBe(2);
  });

  it('keeps hosts apart and audits each host in its own chain', () => {
    const work = new BatchWork(emptyPartition());
    const result = decideBatch(work, [
      cmd('a1', 'HostBooted', { kernelRelease: '6.1.0', modules: [] }, 'a'),
      cmd('b1', 'HostBooted', { kernelRelease: '6.1.0', modules: [] }, 'b'),
      cmd('a2', 'ModuleComing', { module: 'xfs' }, 'a'),
    ]);
    const packed = (hostId: string) =>
      result.audit
        .filter((value) => value.hostId === hostId)
        .map((value) => JSON.parse(value.value) as { seq: number; commandId: string }[]);
    const seqs = (hostId: string) => packed(hostId).flatMap((records) => records.map(({ seq }) => seq));
    expect(seqs('a')).toEqual(seqs('a').map((_, i) => i + 1));
    expect(seqs('b')).toEqual(seqs('b').map((_, i) => i + 1));
    expect(work.get('a').audit.seq).toBe(seqs('a').length);
    // One Kafka value per command, holding all of that command's records (ADR 0013).
    expect(packed('a').map((records) => [...new Set(records.map(({ commandId }) => commandId))])).toEqual([
      ['a1'],
      ['a2'],
    ]);
    expect(result.auditRecords).toBe(seqs('a').length + seqs('b').length);
  });
});
