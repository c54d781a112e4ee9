import { Worker } from 'node:worker_threads';
import type { Level } from './log';
import { STOP_MESSAGE, superviseThreads } from './thread-supervisor';

// Real worker threads, each a few lines of script: one that exits with a code when told to, one
// that answers the stop message the way a consumer thread does.
const started: Worker[] = [];
const start = (script: string) => {
  const thread = new Worker(script, { eval: true });
  started.push(thread);
  return thread;
};
afterEach(async () => {
  await Promise.all(started.splice(0).map((thread) => thread.terminate()));
});

const exitsWith = (code: number) =>
  start(`require('node:worker_threads').parentPort.once('message', () => process.exit(${code}))`);
/** Answers the stop message by exiting with `code` a little later (1: its stop failed). */
const stopsOnRequest = (code = 0) =>
  start(
    `const { parentPort } = require('node:worker_threads');
     parentPort.once('message', (m) => { if (m === ${JSON.stringify(STOP_MESSAGE)}) setTimeout(() => process.exit(${code}), 20); });`,
  );

function supervised(threads: Worker[]) {
  const logged: [Level, string][] = [];
  let resolveExit: (code: number) => void = () => undefined;
  const exitCode = new Promise<number>((resolve) => (resolveExit = resolve));
  const exits: number[] = [];
  const stop = superviseThreads(
    threads,
    (level, message) => logged.push([level, message]),
    (code) => {
      exits.push(code);
      resolveExit(code);
    },
  );
  return { stop, exitCode, exits, logged };
}

const allExited = (threads: Worker[]) =>
  Promise.all(threads.map((thread) => new Promise((resolve) => thread.once('exit', resolve))));

describe('superviseThreads', () => {
  // Exiting unasked with 0 is no success either: a topic without its consumer is a read model behind.
  it.each([
    [3, 3],
    [0, 1],
  ])('a thread exiting unasked with %i takes the process down with %i', async (code, expected) => {
    const quitting = exitsWith(code);
    const healthy = stopsOnRequest();
    const run = supervised([quitting, healthy]);
    quitting.postMessage('go');
    expect(await run.exitCode).toBe(expected);
    expect(run.logged).toContainEqual(['fatal', expect.stringMatching(`exited \\(code ${code}\\)`)]);
  });

  it('on stop, asks every thread to finish and exits 0 once, after the last one has', async () => {
    const threads = [stopsOnRequest(), stopsOnRequest()];
    const run = supervised(threads);
    const exited = allExited(threads);
    run.stop('SIGTERM');
    run.stop('SIGINT');
    expect(await run.exitCode).toBe(0);
    await exited;
    expect(run.exits).toEqual([0]);
    expect(run.logged).toEqual([['info', 'SIGTERM: finishing the batches in hand, then stopping']]);
  });

  it('on stop, exits with the code of a thread whose stop failed, not 0', async () => {
    const threads = [stopsOnRequest(1), stopsOnRequest()];
    const run = supervised(threads);
    const exited = allExited(threads);
    run.stop('SIGTERM');
    expect(await run.exitCode).toBe(1);
    await exited;
    expect(run.exits).toEqual([1]);
  });
});
