/**
 * How audit records travel on `klp.audit` (ADR 0013): one Kafka record holds consecutive records
 * of one host's chain, the records one command made, as a JSON array of their sealed texts. A
 * command's records are never split across Kafka records unless they outgrow one.
 */

/**
 * Most bytes of one packed Kafka record: half the broker's default `message.max.bytes` (1 MiB),
 * leaving room for the record batch around it. A single record larger than this travels alone.
 */
export const MAX_AUDIT_MESSAGE_BYTES = 512 * 1024;

/** Packs sealed record texts (consecutive in one host's chain) into Kafka record values. */
export function packAuditTexts(texts: readonly string[], maxBytes = MAX_AUDIT_MESSAGE_BYTES): string[] {
  const values: string[] = [];
  let members: string[] = [];
  let bytes = 2;
  for (const text of texts) {
    const size = Buffer.byteLength(text) + 1;
    if (members.length > 0 && bytes + size > maxBytes) {
      values.push(`[${members.join(',')}]`);
      members = [];
      bytes = 2;
    }
    members.push(text);
    bytes += size;
  }
  if (members.length > 0) values.push(`[${members.join(',')}]`);
  return values;
}

/**
 * The audit records a `klp.audit` value holds, still unchecked: the members of a packed array, or
 * the one record of a value written before packing (a JSON object).
 */
export function auditMembers(parsed: unknown): unknown[] {
  return Array.isArray(parsed) ? parsed : [parsed];
}
