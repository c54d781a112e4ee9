import { BadRequestException } from '@nestjs/common';
import { cursorParam, durationParam, encodeCursor, labelParam, limitParam, stateParam } from './query-params';

describe('query parameters', () => {
  it('reads ISO-8601 durations', () => {
    expect(durationParam('PT5M', 'olderThan')).toBe(300_000);
    expect(durationParam('P1DT2H', 'olderThan')).toBe(26 * 3_600_000);
    expect(durationParam('PT0.5S', 'olderThan')).toBe(500);
    expect(durationParam(undefined, 'olderThan')).toBe(0);
  });

  it.each(['5m', 'P', 'PT', 'PT-1S', 'P1W'])('refuses the duration %s with 400', (value) => {
    expect(() => durationParam(value, 'olderThan')).toThrow(BadRequestException);
  });

  it('round-trips cursors and refuses foreign ones', () => {
    expect(cursorParam(encodeCursor('web-01') ?? undefined)).toBe('web-01');
    expect(encodeCursor(null)).toBeNull();
    expect(() => cursorParam('d2ViLTAx')).toThrow(BadRequestException);
  });

  it('bounds limits and states', () => {
    expect(limitParam(undefined)).toBe(50);
    expect(limitParam('500')).toBe(500);
    expect(() => limitParam('501')).toThrow(BadRequestException);
    expect(() => limitParam('0')).toThrow(BadRequestException);
    // What Number() reads as an integer but no client means as a limit (the edge fuzzer found ' 1').
    for (const loose of [' 1', '1 ', '1e2', '0x10', '1.0', '+5', ''])
      expect(() => limitParam(loose)).toThrow(BadRequestException);
    expect(stateParam('patched')).toBe('patched');
    expect(() => stateParam('broken')).toThrow(BadRequestException);
  });

  it('reads labels as key=value', () => {
    expect(labelParam('team=kernel')).toEqual({ key: 'team', value: 'kernel' });
    expect(() => labelParam('no-equals')).toThrow(BadRequestException);
  });
});
