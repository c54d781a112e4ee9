import {
  firstBrokenLink,
  GENESIS_HASH,
  type AuditRecord,
  type CommandEnvelope,
  type HostEvent,
} from '@klp/contracts';
import { decide } from '@klp/domain';
import { GENESIS_HEAD } from './audit-chain';
import { foldEvent, freshEntry, type HostEntry } from './host-entry';

const at = '2026-11-27T12:00:00.000Z';
const send = (entry: HostEntry, commandId: string, type: string, payload: unknown) => {
  const command = { commandId, hostId: 'h1', type, payload, actor: 'ops', issuedAt: at } as CommandEnvelope;
  const decision = decide(command, entry.state);
  if (decision.outcome === 'duplicate') throw new Error('unexpected duplicate');
  const [event] = decision.events as HostEvent[];
  const folded = foldEvent(entry, event, type);
  // The records as a reader gets them: parsed from the produced text.
  return { ...folded, audit: folded.auditTexts.map((text) => JSON.parse(text) as AuditRecord) };
};

describe('audit chain per host', () => {
  it('writes one record per changed attribute, chained from the genesis hash with gapless seq', () => {
    const booted = send(freshEntry('h1'), 'c1', 'HostBooted', { kernelRelease: '6.1.0', modules: ['ext4'] });
    const registered = send(booted.entry, 'c2', 'RegisterPatch', {
      name: 'lp1',
      objects: [{ name: 'vmlinux', funcs: [{ name: 'cmdline_proc_show' }] }],
    });
    const records = [...booted.audit, ...registered.audit];
    expect(records[0]).toMatchObject({
      seq: 1,
      prevHash: GENESIS_HASH,
      version: 1,
      index: 0,
      commandId: 'c1',
    });
    expect(records.map((record) => record.seq)).toEqual(records.map((_, i) => i + 1));
    expect(registered.audit.map((record) => record.index)).toEqual(registered.audit.map((_, i) => i));
    expect(
      registered.audit.every((record) => record.commandType === 'RegisterPatch' && record.version === 2),
    ).toBe(true);
    expect(firstBrokenLink(records)).toBeNull();
    expect(registered.entry.audit).toEqual({ seq: records.length, hash: records[records.length - 1].hash });
  });

  it('writes one record for a rejection: rejected, from null to the errno; version and view unchanged', () => {
    const booted = send(freshEntry('h1'), 'c1', 'HostBooted', { kernelRelease: '6.1.0', modules: [] });
    const refused = send(booted.entry, 'c2', 'EnablePatch', { patch: 'missing' });
    expect(refused.audit).toEqual([
      expect.objectContaining({
        entity: { kind: 'host' },
        attribute: 'rejected',
        from: null,
        to: 'ENOENT',
        seq: booted.audit.length + 1,
        version: 1,
        commandType: 'EnablePatch',
      }),
    ]);
    expect(refused.entry.view).toBe(booted.entry.view);
    expect(firstBrokenLink([...booted.audit, ...refused.audit])).toBeNull();
  });

  it('detects a record taken out of the chain', () => {
    const booted = send(freshEntry('h1'), 'c1', 'HostBooted', {
      kernelRelease: '6.1.0',
      modules: ['ext4', 'xfs'],
    });
    expect(booted.audit.length).toBeGreaterThan(2);
    expect(firstBrokenLink(booted.audit.filter((_, i) => i !== 1))).toEqual({ seq: 3, version: 1 });
    expect(GENESIS_HEAD).toEqual({ seq: 0, hash: GENESIS_HASH });
  });
});
