import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { main, parseArgs } from './cli';

const boot = {
  do: { hostId: 'h1', type: 'HostBooted', payload: { kernelRelease: '4.19.0-27-amd64', modules: [] } },
  expect: 'ok',
};

async function run(argv: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (line) => out.push(line), err: (line) => err.push(line) });
  return { code, out, err };
}

describe('scenarios CLI', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'klp-scenarios-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  function file(name: string, content: unknown): string {
    const at = path.join(dir, name);
    writeFileSync(at, typeof content === 'string' ? content : JSON.stringify(content));
    return at;
  }

  it('runs files and directories in-process and ends with "N passed, M failed"; exit 0 when all pass', async () => {
    file('a.json', { name: 'a', steps: [boot, { view: { h1: { version: 1 } } }] });
    file('b.json', { name: 'b', steps: [boot] });
    file('notes.txt', 'not a scenario');
    const single = file('../klp-single-' + path.basename(dir) + '.json', { steps: [boot] });
    try {
      await expect(run([dir, single])).resolves.toEqual({ code: 0, out: ['3 passed, 0 failed'], err: [] });
    } finally {
      rmSync(single);
    }
  });

  it('prints one line per failing step (file, step, expected, got) and exits 1', async () => {
    const bad = file('bad.json', {
      steps: [boot, { ...boot, expect: 'EEXIST' }, { view: { h1: { version: 3 } } }],
    });
    const broken = file('broken.json', '{ "steps": [');
    const empty = file('empty.json', { steps: [] });
    file('good.json', { steps: [boot] });
    const result = await run([dir]);
    expect(result.code).toBe(1);
    expect(result.out).toEqual([
      `${bad}: step 2: do HostBooted on h1: expected EEXIST, got ok`,
      `${bad}: step 3: h1.version: expected 3, got 2`,
      expect.stringMatching(new RegExp(`^${broken}: cannot read: `)) as string,
      `${empty}: not a scenario: "steps" must be a non-empty list`,
      '1 passed, 3 failed',
    ]);
  });

  it('exits 1 when no file is found, or a path does not exist', async () => {
    await expect(run([dir])).resolves.toMatchObject({
      code: 1,
      out: ['0 passed, 0 failed'],
      err: [expect.stringContaining('no scenario files')],
    });
    await expect(run([path.join(dir, 'missing')])).resolves.toMatchObject({
      code: 1,
      err: [expect.stringContaining('no such file')],
    });
  });

  it('runs against a live stack with --api and --token', async () => {
    file('a.json', { steps: [boot] });
    // Nothing listens on port 9 of loopback: the step fails with the transport error, not the CLI.
    const result = await run(['--api', 'http://127.0.0.1:9', '--token', 't', dir]);
    expect(result.code).toBe(1);
    expect(result.out[0]).toMatch(/step 1: do HostBooted on h1: expected ok, got error: /);
  });

  it.each([
    [[], /at least one/],
    [['--api'], /needs a value/],
    [['--api', 'http://x', 'd'], /needs --token/],
    [['--token', 't', 'd'], /only for --api/],
    [['--api', 'ftp://x', '--token', 't', 'd'], /http\(s\) URL/],
    [['--verbose', 'd'], /unknown option/],
  ])('refuses bad arguments %p with the usage, exit 2', async (argv, message) => {
    const result = await run(argv);
    expect(result.code).toBe(2);
    expect(result.err[0]).toMatch(message);
    expect(result.err[1]).toMatch(/^usage:/);
  });

  it('prints the usage for --help, exit 0', async () => {
    await expect(run(['--help'])).resolves.toMatchObject({
      code: 0,
      err: [expect.stringMatching(/^usage:/)],
    });
    expect(parseArgs(['--api', 'https://klp.example', '--token', 't', 'x'])).toEqual({
      api: 'https://klp.example',
      token: 't',
      paths: ['x'],
    });
  });
});
