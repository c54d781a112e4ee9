import { isCommandType, type CommandEnvelope } from '@klp/contracts';

/** commandId and hostId: what the api accepts, and what fits a Kafka key and a Postgres key. */
export const ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;

/** A date and a time, seconds and fraction optional, with a zone (`Z` or an offset). */
const ISO_8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;

export type ParsedCommand =
  { readonly ok: true; readonly command: CommandEnvelope } | { readonly ok: false; readonly error: string };

const fail = (error: string): ParsedCommand => ({ ok: false, error });

function describe(value: unknown): string {
  if (value === undefined) return 'missing';
  const text = JSON.stringify(value) ?? typeof value;
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/**
 * Checks the envelope of one klp.commands record before the decider trusts it. A record that fails
 * here is a poison record (klp.dlq): it cannot be attributed to a host or a command, so it cannot
 * get an outcome. The payload and `expectedVersion` are left to the domain, which rejects a bad one
 * with EINVAL: that is an outcome the sender can see, not a poison record.
 */
export function parseCommandRecord(key: Buffer | null, value: Buffer | null): ParsedCommand {
  if (value === null) return fail('the record has no value');
  let raw: unknown;
  try {
    raw = JSON.parse(value.toString('utf8'));
  } catch (error) {
    return fail(`the value is not JSON: ${(error as Error).message}`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return fail('the value must be a JSON object');
  }
  const fields = raw as Record<string, unknown>;
  for (const name of ['commandId', 'hostId'] as const) {
    const id = fields[name];
    if (typeof id !== 'string' || !ID_PATTERN.test(id)) {
      return fail(`${name} must be 1-128 characters of [A-Za-z0-9._:-], got ${describe(id)}`);
    }
  }
  if (!isCommandType(fields.type)) return fail(`unknown command type ${describe(fields.type)}`);
  if (typeof fields.actor !== 'string') return fail(`actor must be a string, got ${describe(fields.actor)}`);
  const { issuedAt } = fields;
  if (typeof issuedAt !== 'string' || !ISO_8601.test(issuedAt) || Number.isNaN(Date.parse(issuedAt))) {
    return fail(`issuedAt must be an ISO-8601 date and time, got ${describe(issuedAt)}`);
  }
  const { correlationId } = fields;
  if (correlationId !== undefined && correlationId !== null) {
    if (typeof correlationId !== 'string' || correlationId.length > 256) {
      return fail(`correlationId must be a string of at most 256 characters, got ${describe(correlationId)}`);
    }
  }
  const hostId = fields.hostId as string;
  const recordKey = key?.toString('utf8') ?? null;
  if (recordKey !== hostId) {
    return fail(`the record key ${describe(recordKey)} is not the hostId ${describe(hostId)}`);
  }
  return { ok: true, command: raw as CommandEnvelope };
}
