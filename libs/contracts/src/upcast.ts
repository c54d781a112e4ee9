import { EVENT_SCHEMA_VERSION, isEventType, type HostEvent } from './events';

export type UpcastErrorCode = 'MALFORMED' | 'UNKNOWN_SCHEMA_VERSION' | 'UNKNOWN_EVENT_TYPE';

/** A stored event this code cannot read; the Kafka shell routes the record to `klp.dlq`. */
export class UpcastError extends Error {
  constructor(
    readonly code: UpcastErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'UpcastError';
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const STRING_FIELDS = ['type', 'hostId', 'commandId', 'correlationId', 'actor', 'occurredAt'] as const;

/**
 * Reads one stored event (already `JSON.parse`d) into the current shape. Schema version 1 is the
 * current one, so today this checks the envelope and returns it as is; a later version adds a step
 * per older version here (v1 → v2 → ...), so that `evolve` only ever sees the newest shape.
 */
export function upcast(raw: unknown): HostEvent {
  if (!isRecord(raw)) throw new UpcastError('MALFORMED', 'an event must be a JSON object');
  const { schemaVersion } = raw;
  if (schemaVersion !== EVENT_SCHEMA_VERSION) {
    throw new UpcastError(
      'UNKNOWN_SCHEMA_VERSION',
      `unknown event schemaVersion ${JSON.stringify(schemaVersion)}`,
    );
  }
  if (!isEventType(raw.type)) {
    throw new UpcastError('UNKNOWN_EVENT_TYPE', `unknown event type ${JSON.stringify(raw.type)}`);
  }
  for (const field of STRING_FIELDS) {
    if (typeof raw[field] !== 'string')
      throw new UpcastError('MALFORMED', `event field ${field} must be a string`);
  }
  if (!Number.isSafeInteger(raw.version) || (raw.version as number) < 0) {
    throw new UpcastError('MALFORMED', 'event field version must be an integer >= 0');
  }
  if (!isRecord(raw.payload)) throw new UpcastError('MALFORMED', 'event field payload must be an object');
  return raw as unknown as HostEvent;
}
