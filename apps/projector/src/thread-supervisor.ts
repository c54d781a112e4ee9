import type { Worker } from 'node:worker_threads';
import type { Logger } from './log';

/** What main.ts posts to a consumer thread to make it finish its batches and leave its group. */
export const STOP_MESSAGE = 'stop';

/**
 * Watches the consumer threads of one process. A thread that exits unasked takes the process down
 * with its code (1 if it claimed success): one topic projected without the other is a read model
 * half behind, and a restarted process is the known way back. Answers `stop`, which asks every
 * thread to finish and, once the last one has, calls `exit` with the highest code they exited with
 * (0 when every one stopped cleanly). `exit` is called once.
 */
export function superviseThreads(
  threads: readonly Worker[],
  log: Logger,
  exit: (code: number) => void,
): (reason: string) => void {
  let state: 'running' | 'stopping' | 'exited' = 'running';
  let running = threads.length;
  let worstCode = 0;
  for (const thread of threads) {
    const id = thread.threadId;
    thread.once('exit', (code) => {
      running -= 1;
      if (state === 'stopping') {
        // A thread whose stop failed exits 1: the process says so rather than claim a clean stop.
        worstCode = Math.max(worstCode, code);
        if (running === 0) {
          state = 'exited';
          exit(worstCode);
        }
        return;
      }
      if (state === 'exited') return;
      state = 'exited';
      log('fatal', `consumer thread ${id} exited (code ${code}); stopping the projector`);
      exit(code === 0 ? 1 : code);
    });
  }
  return (reason) => {
    if (state !== 'running') return;
    state = 'stopping';
    log('info', `${reason}: finishing the batches in hand, then stopping`);
    for (const thread of threads) thread.postMessage(STOP_MESSAGE);
  };
}
