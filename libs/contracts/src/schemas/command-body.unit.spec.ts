import { checkCommandBody } from './command-body';

const ok = (body: unknown) => expect(checkCommandBody(body)).toMatchObject({ ok: true });
const problems = (body: unknown) => {
  const result = checkCommandBody(body);
  if (result.ok) throw new Error('expected problems');
  return result.problems;
};

describe('the edge check of a command body', () => {
  it('accepts every well-formed command', () => {
    ok({ hostId: 'web-01', type: 'EnablePatch', payload: { patch: 'lp-1' } });
    ok({
      commandId: 'c-1',
      hostId: 'h1',
      expectedVersion: 3,
      type: 'RegisterPatch',
      payload: { name: 'lp', objects: [{ name: 'vmlinux', funcs: [{ name: 'f', sympos: 2 }] }] },
    });
    ok({ hostId: 'h1', type: 'TransitionProgress', payload: { patch: 'p', pendingTasks: 2 } });
  });

  it('leaves the names to the decider, whose errno depends on its order of checks', () => {
    ok({ hostId: 'h1', type: 'EnablePatch', payload: { patch: 'not a module name!' } });
    ok({
      hostId: 'h1',
      type: 'HostBooted',
      payload: { kernelRelease: '4.19 with spaces', modules: ['vmlinux'] },
    });
  });

  it('names the unknown type', () => {
    expect(problems({ hostId: 'h1', type: 'Reboot', payload: {} })).toEqual([
      expect.objectContaining({
        path: 'type',
        message: expect.stringMatching(/type must be one of RegisterPatch/),
      }),
    ]);
  });

  it('names a bad host id, a missing field and an extra one', () => {
    const found = problems({ hostId: 'web 01', type: 'RegisterPatch', payload: { name: 'x', extra: 1 } });
    const paths = found.map((problem) => problem.path);
    expect(paths).toEqual(expect.arrayContaining(['hostId', 'payload.objects', 'payload']));
  });

  it('refuses wrong types and out-of-range numbers', () => {
    expect(problems({ hostId: 'h1', type: 'EnablePatch', payload: { patch: 7 } })[0].path).toBe(
      'payload.patch',
    );
    expect(
      problems({ hostId: 'h1', type: 'EnablePatch', payload: { patch: 'p' }, expectedVersion: -1 })[0].path,
    ).toBe('expectedVersion');
    expect(
      problems({ hostId: 'h1', type: 'TransitionProgress', payload: { patch: 'p', pendingTasks: 1.5 } })[0]
        .path,
    ).toBe('payload.pendingTasks');
  });

  it('refuses a body that is not an object', () => {
    expect(problems(null).length).toBeGreaterThan(0);
    expect(problems([1, 2]).length).toBeGreaterThan(0);
    expect(problems('EnablePatch').length).toBeGreaterThan(0);
  });
});
