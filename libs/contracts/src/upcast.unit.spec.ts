import { COMMAND_TYPES, isCommandType } from './commands';
import { isErrno } from './errno';
import { EVENT_TYPES } from './events';
import { upcast, UpcastError } from './upcast';

const event = {
  schemaVersion: 1,
  type: 'PatchEnabled',
  hostId: 'h1',
  version: 3,
  payload: { patch: 'lp-1' },
  commandId: 'c-1',
  correlationId: 'c-1',
  actor: 'ops',
  occurredAt: '2026-11-27T10:00:00.000Z',
};

function codeOf(raw: unknown): string | undefined {
  try {
    upcast(raw);
    return undefined;
  } catch (error) {
    return error instanceof UpcastError ? error.code : 'not an UpcastError';
  }
}

describe('upcast', () => {
  it('returns a schemaVersion 1 event as it is', () => {
    expect(upcast(JSON.parse(JSON.stringify(event)))).toEqual(event);
  });

  it('refuses a future or unknown schemaVersion with a typed error (the shell sends it to klp.dlq)', () => {
    expect(codeOf({ ...event, schemaVersion: 2 })).toBe('UNKNOWN_SCHEMA_VERSION');
    expect(codeOf({ ...event, schemaVersion: undefined })).toBe('UNKNOWN_SCHEMA_VERSION');
    expect(() => upcast({ ...event, schemaVersion: 2 })).toThrow('unknown event schemaVersion 2');
  });

  it('refuses an unknown event type', () => {
    expect(codeOf({ ...event, type: 'PatchExploded' })).toBe('UNKNOWN_EVENT_TYPE');
  });

  it.each([
    ['not an object', 'text'],
    ['null', null],
    ['a missing hostId', { ...event, hostId: undefined }],
    ['a negative version', { ...event, version: -1 }],
    ['a string version', { ...event, version: '3' }],
    ['a payload that is a list', { ...event, payload: [] }],
  ])('refuses a malformed envelope: %s', (_, raw) => {
    expect(codeOf(raw)).toBe('MALFORMED');
  });
});

describe('contract lists', () => {
  it('name every command and event once', () => {
    expect(new Set(COMMAND_TYPES).size).toBe(12);
    expect(new Set(EVENT_TYPES).size).toBe(13);
    expect(isCommandType('EnablePatch')).toBe(true);
    expect(isCommandType('toString')).toBe(false);
    expect(isErrno('EBUSY')).toBe(true);
    expect(isErrno('ENODEV')).toBe(false);
  });
});
