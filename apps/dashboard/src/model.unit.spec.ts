import {
  appendSample,
  countsOf,
  formatDuration,
  formatValue,
  groupByCommand,
  polylinePoints,
  reverseCommand,
  totalOf,
  uuidFromBytes,
} from './model';

describe('dashboard model', () => {
  it('keeps only the newest samples for the chart', () => {
    let history = appendSample([], { at: 0, patches: {} }, 3);
    for (let at = 1; at < 10; at++) history = appendSample(history, { at, patches: {} }, 3);
    expect(history.map((sample) => sample.at)).toEqual([7, 8, 9]);
  });

  it('fills the states a patch has no host in with zero', () => {
    const counts = countsOf({ 'lp-1': { patched: 3, transition: 1 } as never }, 'lp-1');
    expect(counts).toEqual({ disabled: 0, enabled: 0, transition: 1, patched: 3 });
    expect(totalOf(counts)).toBe(4);
    expect(totalOf(countsOf({}, 'none'))).toBe(0);
  });

  it('draws a series right-aligned, scaled to the maximum', () => {
    expect(polylinePoints([0, 5, 10], 100, 50, 10)).toBe('0,50 50,25 100,0');
    expect(polylinePoints([10], 100, 50, 10, 3)).toBe('100,0');
    expect(polylinePoints([0, 0], 100, 50, 0)).toBe('0,50 100,50');
  });

  it('reverses a transition with the opposite command, and only for the patch in transition', () => {
    const patching = {
      transition: { patch: 'lp-2', target: 'patched' as const, pendingTasks: 3, blockingTasks: [] },
    };
    const unpatching = { transition: { ...patching.transition, target: 'unpatched' as const } };
    expect(reverseCommand(patching, 'lp-2')).toBe('DisablePatch');
    expect(reverseCommand(unpatching, 'lp-2')).toBe('EnablePatch');
    expect(reverseCommand(patching, 'lp-1')).toBeNull();
    expect(reverseCommand({ transition: null }, 'lp-2')).toBeNull();
  });

  it('formats durations and audit values for people', () => {
    expect(formatDuration(250)).toBe('250 ms');
    expect(formatDuration(5_400)).toBe('5 s');
    expect(formatDuration(185_000)).toBe('3 min 5 s');
    expect(formatDuration(3_720_000)).toBe('1 h 2 min');
    expect(formatValue('patched')).toBe('patched');
    expect(formatValue(true)).toBe('true');
    expect(formatValue(undefined)).toBe('—');
  });

  it('makes RFC 4122 version 4 command ids', () => {
    const id = uuidFromBytes(new Uint8Array(16).fill(0xff));
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});

describe('the host timeline', () => {
  const record = (version: number, index: number, attribute: string) => ({
    hostId: 'web-01',
    version,
    index,
    at: `2026-11-28T00:00:0${version}.000Z`,
    actor: 'ops',
    commandId: `c${version}`,
    commandType: version === 2 ? 'EnablePatch' : 'RegisterPatch',
    entity: { kind: 'patch', patch: 'lp-1' },
    attribute,
    from: null,
    to: true,
    hash: 'h',
  });

  it('shows one line per command with its changes, newest first', () => {
    const groups = groupByCommand([
      record(2, 1, 'state'),
      record(2, 0, 'enabled'),
      record(1, 0, 'registered'),
    ]);
    expect(groups.map((group) => [group.version, group.commandType, group.changes.length])).toEqual([
      [2, 'EnablePatch', 2],
      [1, 'RegisterPatch', 1],
    ]);
  });
});
