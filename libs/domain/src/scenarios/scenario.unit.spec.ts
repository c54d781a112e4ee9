import { jsonEqual, partialMatch } from './match';
import { parseScenario } from './scenario';

describe('parseScenario', () => {
  const boot = { hostId: 'h1', type: 'HostBooted', payload: { kernelRelease: 'k', modules: [] } };

  it('reads do and view steps in the DOMAIN.md format', () => {
    expect(
      parseScenario({
        name: 'n',
        source: 's',
        steps: [
          { do: { ...boot, commandId: 'c-1', expectedVersion: 0, extra: true }, expect: 'ok' },
          { do: { hostId: 'h1', type: 'EnablePatch' }, expect: 'ENOENT' },
          { view: { h1: { version: 1 }, h2: null } },
        ],
      }),
    ).toEqual({
      ok: true,
      scenario: {
        name: 'n',
        source: 's',
        steps: [
          { kind: 'do', command: { ...boot, commandId: 'c-1', expectedVersion: 0 }, expect: 'ok' },
          {
            kind: 'do',
            command: { hostId: 'h1', type: 'EnablePatch', payload: undefined },
            expect: 'ENOENT',
          },
          { kind: 'view', hosts: { h1: { version: 1 }, h2: null } },
        ],
      },
    });
  });

  it('takes a missing name as empty', () => {
    expect(parseScenario({ steps: [{ view: { h1: null } }] })).toMatchObject({
      ok: true,
      scenario: { name: '' },
    });
  });

  const bad: [string, unknown, RegExp][] = [
    ['not an object', [], /JSON object/],
    ['a name that is not a string', { name: 1, steps: [{ view: { h1: null } }] }, /name/],
    ['no steps', { name: 'n' }, /non-empty/],
    ['empty steps', { name: 'n', steps: [] }, /non-empty/],
    ['a step that is not an object', { steps: ['x'] }, /step 1 is not an object/],
    ['a step with do and view', { steps: [{ do: boot, expect: 'ok', view: { h1: null } }] }, /both/],
    ['a step with neither', { steps: [{ expect: 'ok' }] }, /neither/],
    ['a view naming no host', { steps: [{ view: {} }] }, /at least one host/],
    ['a view of a host that is a list', { steps: [{ view: { h1: [] } }] }, /object or null/],
    ['a do without hostId', { steps: [{ do: { type: 'HostBooted' }, expect: 'ok' }] }, /hostId/],
    ['a numeric commandId', { steps: [{ do: { ...boot, commandId: 3 }, expect: 'ok' }] }, /commandId/],
    ['a do without expect', { steps: [{ do: boot }] }, /expect/],
    ['an expect that is no errno', { steps: [{ do: boot, expect: 'fine' }] }, /expect/],
  ];
  it.each(bad)('says what is wrong with %s', (_, raw, error) => {
    const parsed = parseScenario(raw);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.error).toMatch(error);
  });
});

describe('partialMatch (objects match the keys given, arrays exactly, null matches null or absent)', () => {
  it('matches the keys given and ignores the others', () => {
    expect(partialMatch({ a: 1, b: { c: 2 } }, { a: 1, b: { c: 2, d: 3 }, e: 4 })).toEqual([]);
  });

  it('reports each mismatch with its path', () => {
    expect(partialMatch({ a: 1, b: { c: 2 } }, { a: 2, b: { c: 3 } }, 'h1')).toEqual([
      { path: 'h1.a', expected: 1, actual: 2 },
      { path: 'h1.b.c', expected: 2, actual: 3 },
    ]);
  });

  it('null matches null and absent, nothing else', () => {
    expect(partialMatch({ a: null, b: null }, { a: null })).toEqual([]);
    expect(partialMatch({ a: null }, { a: 0 })).toEqual([{ path: 'a', expected: null, actual: 0 }]);
    expect(partialMatch(null, undefined)).toEqual([]);
  });

  it('arrays match exactly, order and members', () => {
    expect(partialMatch({ s: ['a', 'b'] }, { s: ['a', 'b'] })).toEqual([]);
    expect(partialMatch({ s: ['a', 'b'] }, { s: ['b', 'a'] })).toHaveLength(1);
    expect(partialMatch({ s: [{ pid: 1 }] }, { s: [{ pid: 1, comm: 'x' }] })).toHaveLength(1);
    expect(partialMatch({ s: [] }, { s: null })).toHaveLength(1);
  });

  it('an object expected where the view has none is a mismatch', () => {
    expect(partialMatch({ a: { b: 1 } }, { a: 'x' })).toEqual([
      { path: 'a', expected: { b: 1 }, actual: 'x' },
    ]);
    expect(partialMatch({ a: 1 }, null)).toHaveLength(1);
  });

  it('does not read inherited properties (a patch named constructor is absent until registered)', () => {
    expect(partialMatch({ patches: { constructor: null } }, { patches: {} })).toEqual([]);
  });
});

describe('jsonEqual', () => {
  it('compares JSON values exactly, an undefined member counting as absent', () => {
    expect(jsonEqual({ a: [1, { b: 2 }] }, { a: [1, { b: 2 }] })).toBe(true);
    expect(jsonEqual({ a: 1, b: undefined }, { a: 1 })).toBe(true);
    expect(jsonEqual({ a: 1 }, { a: 1, b: 2 })).toBe(false);
    expect(jsonEqual({ a: 1 }, [1])).toBe(false);
    expect(jsonEqual([1], [1, 2])).toBe(false);
    expect(jsonEqual('1', 1)).toBe(false);
  });
});
