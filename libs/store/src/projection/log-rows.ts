import type { AuditRecord, HostEvent } from '@klp/contracts';
import type { Row } from './tables';

/**
 * The command type each accepted event answers (DOMAIN.md "Commands"); a `CommandRejected`
 * carries its own. One command makes one event, so the outcome row is the event's.
 */
export function commandTypeOf(event: HostEvent): string {
  switch (event.type) {
    case 'HostBooted':
      return 'HostBooted';
    case 'PatchRegistered':
      return 'RegisterPatch';
    case 'PatchEnabled':
      return 'EnablePatch';
    case 'PatchDisabled':
      return 'DisablePatch';
    case 'TransitionReversed':
      // Reversing is writing the opposite value to `enabled`: EnablePatch reverses an unpatching.
      return event.payload.target === 'patched' ? 'EnablePatch' : 'DisablePatch';
    case 'TransitionCompleted':
      return event.payload.target === 'patched' ? 'PatchComplete' : 'UnpatchComplete';
    case 'TransitionForced':
      return 'ForceTransition';
    case 'PatchEnableFailed':
      return 'EnableFailed';
    case 'TransitionProgressReported':
      return 'TransitionProgress';
    case 'PatchUnregistered':
      return 'UnregisterPatch';
    case 'ModuleLoaded':
      return 'ModuleComing';
    case 'ModuleUnloaded':
      return 'ModuleGoing';
    case 'CommandRejected':
      return event.payload.commandType;
    default: {
      const _never: never = event;
      return _never;
    }
  }
}

/**
 * `event_index` is always 0: every Kafka record holds one event, so (partition, offset) already
 * names an event; the column stays for a producer that one day packs several into a record.
 */
export function eventLogRow(event: HostEvent, partition: number, offset: string): Row {
  return [
    event.hostId,
    event.version,
    0,
    event.type,
    event.schemaVersion,
    event.payload,
    event.commandId,
    event.correlationId,
    event.actor,
    event.occurredAt,
    partition,
    offset,
  ];
}

export function outcomeRow(event: HostEvent): Row {
  const rejected = event.type === 'CommandRejected';
  return [
    event.commandId,
    event.hostId,
    commandTypeOf(event),
    rejected ? 'rejected' : 'accepted',
    event.version,
    rejected ? event.payload.errno : null,
    rejected ? event.payload.reason : null,
    event.actor,
    event.occurredAt,
  ];
}

export function auditLogRow(record: AuditRecord): Row {
  const { entity } = record;
  return [
    record.hostId,
    record.seq,
    record.version,
    record.index,
    record.at,
    record.actor,
    record.commandId,
    record.commandType,
    entity.kind,
    entity.patch ?? null,
    entity.object ?? null,
    entity.func ?? null,
    record.attribute,
    record.from,
    record.to,
    record.prevHash,
    record.hash,
  ];
}
