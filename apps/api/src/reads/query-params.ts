import { BadRequestException } from '@nestjs/common';
import type { DerivedState } from '@klp/contracts';

export const STATES: readonly DerivedState[] = ['disabled', 'enabled', 'transition', 'patched'];

function invalid(path: string, message: string): never {
  throw new BadRequestException({ error: 'invalid request', problems: [{ path, message }] });
}

export function limitParam(value: string | undefined, fallback = 50, max = 500): number {
  if (value === undefined) return fallback;
  // Digits only: Number() would also take ' 1', '1e2', '0x10' and '1.0'.
  const limit = /^\d{1,6}$/.test(value) ? Number(value) : NaN;
  if (!Number.isInteger(limit) || limit < 1 || limit > max)
    invalid('limit', `limit must be an integer from 1 to ${max}`);
  return limit;
}

export function stateParam(value: string | undefined): DerivedState | undefined {
  if (value === undefined) return undefined;
  if (!(STATES as readonly string[]).includes(value))
    invalid('state', `state must be one of ${STATES.join(', ')}`);
  return value as DerivedState;
}

export function textParam(value: string | undefined, path: string, max = 256): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.length === 0 || value.length > max) {
    invalid(path, `${path} must be 1-${max} characters`);
  }
  return value;
}

export function cursorParam(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  try {
    const decoded = Buffer.from(value, 'base64url').toString('utf8');
    if (!decoded.startsWith('h:')) throw new Error('not ours');
    return decoded.slice(2);
  } catch {
    return invalid('cursor', 'cursor is not one this api issued');
  }
}

export function encodeCursor(hostId: string | null): string | null {
  return hostId === null ? null : Buffer.from(`h:${hostId}`, 'utf8').toString('base64url');
}

export function integerParam(value: string | undefined, path: string, fallback: number): number {
  if (value === undefined) return fallback;
  const number = /^\d{1,15}$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(number) || number < 0) invalid(path, `${path} must be an integer >= 0`);
  return number;
}

/** ISO-8601 durations with days, hours, minutes and seconds (`PT5M`, `P1DT2H`, `PT0.5S`). */
export function durationParam(value: string | undefined, path: string): number {
  if (value === undefined) return 0;
  const match = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(value);
  if (!match || value === 'P' || value.endsWith('T'))
    invalid(path, `${path} must be an ISO-8601 duration such as PT5M`);
  const [, days, hours, minutes, seconds] = match;
  return (
    ((Number(days ?? 0) * 24 + Number(hours ?? 0)) * 60 + Number(minutes ?? 0)) * 60_000 +
    Number(seconds ?? 0) * 1000
  );
}

export function labelParam(value: string | undefined): { key: string; value: string } | undefined {
  if (value === undefined) return undefined;
  const match = /^([A-Za-z0-9._/-]{1,63})=(.{0,256})$/s.exec(value);
  if (!match) invalid('label', 'label must be key=value');
  return { key: match[1], value: match[2] };
}
