import {
  auditMembers,
  canonicalJson,
  firstBrokenLink,
  type AuditRecord,
  type CommandEnvelope,
  type HostEvent,
} from '@klp/contracts';
import { auditChanges, decide, evolve, initialState, view, type HostState } from '@klp/domain';
import type { ReadRecord } from './broker.spec-helper';

/** What the streams must hold: the pure domain run over each host's commands in the order sent. */
export function expectedStreams(commands: readonly CommandEnvelope[]) {
  const states = new Map<string, HostState>();
  const events = new Map<string, HostEvent[]>();
  const auditCounts = new Map<string, number>();
  for (const command of commands) {
    const state = states.get(command.hostId) ?? initialState(command.hostId);
    const decision = decide(command, state);
    if (decision.outcome === 'duplicate') continue;
    let current = state;
    for (const event of decision.events) {
      const next = evolve(current, event);
      const records = event.type === 'CommandRejected' ? 1 : auditChanges(view(current), view(next)).length;
      auditCounts.set(command.hostId, (auditCounts.get(command.hostId) ?? 0) + records);
      current = next;
    }
    states.set(command.hostId, current);
    events.set(command.hostId, [...(events.get(command.hostId) ?? []), ...decision.events]);
  }
  return { events, auditCounts };
}

/** Each host's values; `membersOf` unpacks a value holding several (klp.audit, ADR 0013). */
function byHost<T>(
  records: readonly ReadRecord[],
  membersOf: (parsed: unknown) => unknown[] = (parsed) => [parsed],
): Map<string, { partition: number; value: T }[]> {
  const hosts = new Map<string, { partition: number; value: T }[]>();
  for (const record of records) {
    const hostId = record.key?.toString() ?? '';
    const values = membersOf(JSON.parse(record.value?.toString() ?? 'null')) as T[];
    const mine = hosts.get(hostId) ?? [];
    for (const value of values) mine.push({ partition: record.partition, value });
    hosts.set(hostId, mine);
  }
  return hosts;
}

/**
 * Checks klp.events and klp.audit against the commands sent: each host's events are exactly the
 * expected ones (so every command has one outcome, nothing is lost or duplicated), versions are
 * gapless, every commandId appears in one event at most once, each host's records sit in one
 * partition of both topics, and each audit chain verifies and has the expected length. Answers
 * the problems found (empty: all good).
 */
export function verifyStreams(
  commands: readonly CommandEnvelope[],
  eventRecords: readonly ReadRecord[],
  auditRecords: readonly ReadRecord[],
): string[] {
  const problems: string[] = [];
  const expected = expectedStreams(commands);
  const events = byHost<HostEvent>(eventRecords);
  const audit = byHost<AuditRecord>(auditRecords, auditMembers);
  const seen = new Set<string>();
  for (const hostId of new Set([...expected.events.keys(), ...events.keys()])) {
    const actual = events.get(hostId) ?? [];
    const wanted = expected.events.get(hostId) ?? [];
    if (actual.length !== wanted.length) {
      problems.push(`${hostId}: ${actual.length} events, expected ${wanted.length}`);
    }
    const firstDiff = wanted.findIndex(
      (event, i) => canonicalJson(event) !== canonicalJson(actual[i]?.value),
    );
    if (firstDiff >= 0) problems.push(`${hostId}: event #${firstDiff} differs from the expected one`);
    let version = 0;
    for (const { value } of actual) {
      if (seen.has(value.commandId)) problems.push(`${hostId}: a second outcome for ${value.commandId}`);
      seen.add(value.commandId);
      const expectedVersion = value.type === 'CommandRejected' ? version : version + 1;
      if (value.version !== expectedVersion) {
        problems.push(`${hostId}: version ${value.version} where ${expectedVersion} was due`);
      }
      version = value.type === 'CommandRejected' ? version : value.version;
    }
    const chain = audit.get(hostId) ?? [];
    const partitions = new Set([...actual, ...chain].map((record) => record.partition));
    if (partitions.size > 1) problems.push(`${hostId}: records in partitions ${[...partitions].join(',')}`);
    const broken = firstBrokenLink(chain.map((record) => record.value));
    if (broken) problems.push(`${hostId}: audit chain broken at seq ${broken.seq}`);
    const wantedAudit = expected.auditCounts.get(hostId) ?? 0;
    if (chain.length !== wantedAudit)
      problems.push(`${hostId}: ${chain.length} audit records, expected ${wantedAudit}`);
  }
  const unique = new Set(commands.map((command) => command.commandId));
  if (seen.size !== unique.size) problems.push(`${seen.size} commands with an outcome, ${unique.size} sent`);
  return problems;
}
