import { BadRequestException } from '@nestjs/common';
import type { AuditKey } from '@klp/store';

function invalid(path: string, message: string): never {
  throw new BadRequestException({ error: 'invalid request', problems: [{ path, message }] });
}

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?(?:Z|[+-]\d{2}:?\d{2})$/;

/**
 * An ISO-8601 instant with its zone (`2026-11-27T10:00:00Z`). Passed on as text, so Postgres
 * compares at its own microsecond precision; a local time without a zone is refused as ambiguous.
 */
export function instantParam(value: string | undefined, path: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !ISO_INSTANT.test(value) || Number.isNaN(Date.parse(value))) {
    invalid(path, `${path} must be an ISO-8601 date and time with a zone, such as 2026-11-27T10:00:00Z`);
  }
  return value;
}

export function auditCursorParam(value: string | undefined): AuditKey | undefined {
  if (value === undefined) return undefined;
  try {
    const decoded = JSON.parse(Buffer.from(value, 'base64url').toString('utf8')) as unknown;
    if (!Array.isArray(decoded) || decoded[0] !== 'a') throw new Error('not ours');
    // Cursors issued before ADR 0010 carry no index: 0 still includes their command's head.
    const [, at, hostId, seq, index = 0] = decoded as [string, unknown, unknown, unknown, unknown?];
    if (typeof at !== 'string' || typeof hostId !== 'string' || !Number.isSafeInteger(seq))
      throw new Error('not ours');
    if (!Number.isSafeInteger(index) || (index as number) < 0) throw new Error('not ours');
    return { at, hostId, seq: seq as number, index: index as number };
  } catch {
    return invalid('cursor', 'cursor is not one this api issued');
  }
}

export function encodeAuditCursor(key: AuditKey | null): string | null {
  return key === null
    ? null
    : Buffer.from(JSON.stringify(['a', key.at, key.hostId, key.seq, key.index]), 'utf8').toString(
        'base64url',
      );
}
