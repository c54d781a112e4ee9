import path from 'node:path';
import type { OffsetRange } from '@klp/kafka';
import type { ProjectionKind } from '@klp/store';
import { startTypeScriptWorker } from '../typescript-worker';
import type { Progress } from './progress';
import type { ReplayThreadData, ReplayThreadMessage } from './replay-thread';

/** The group a replay thread of `kind` reads under, beside the rebuild's own `groupId`. */
export const replayThreadGroup = (groupId: string, kind: ProjectionKind) => `${groupId}-${kind}`;

/** What every replay thread shares; `replayInThreads` adds the topic, its kind, ranges and group. */
export type SharedThreadData = Omit<ReplayThreadData, 'topic' | 'kind' | 'ranges' | 'groupId'>;

/**
 * Replays `ranges` with one worker thread per topic (ADR 0012) and waits for all of them. A thread
 * that fails stops the others and the replay throws its error: the rebuild is then dropped, as on
 * any failure before the swap. Each thread reads under `replayThreadGroup(groupPrefix, kind)`.
 */
export async function replayInThreads(
  ranges: readonly OffsetRange[],
  kinds: ReadonlyMap<string, ProjectionKind>,
  shared: SharedThreadData,
  groupPrefix: string,
  progress: Progress,
  onSkipped: (count: number) => void,
  signal?: AbortSignal,
): Promise<void> {
  const topics = [...new Set(ranges.map((range) => range.topic))];
  const threads = topics.map((topic) => {
    const kind = kinds.get(topic);
    if (!kind) throw new Error(`rebuild: ${topic} is neither the events nor the audit topic`);
    const data: ReplayThreadData = {
      ...shared,
      topic,
      kind,
      ranges: ranges.filter((range) => range.topic === topic),
      groupId: replayThreadGroup(groupPrefix, kind),
    };
    return startTypeScriptWorker(path.join(__dirname, 'replay-thread.ts'), data);
  });
  const failures: string[] = [];
  const onAbort = () => {
    failures.push('rebuild aborted');
    for (const thread of threads) void thread.terminate();
  };
  signal?.addEventListener('abort', onAbort, { once: true });
  const ended = threads.map(
    (thread, i) =>
      new Promise<void>((resolve) => {
        thread.on('message', (message: ReplayThreadMessage) => {
          switch (message.type) {
            case 'total':
              return progress.addTotal(message.kind, message.offsets);
            case 'done':
              return progress.add(message.kind, message.offsets);
            case 'skipped':
              return onSkipped(message.count);
            case 'failed':
              return failures.push(`${topics[i]}: ${message.message}`);
          }
        });
        thread.once('error', (error) => failures.push(`${topics[i]}: ${error.message}`));
        thread.once('exit', (code) => {
          if (code !== 0) {
            if (failures.length === 0) failures.push(`${topics[i]}: the replay thread exited with ${code}`);
            for (const other of threads) void other.terminate();
          }
          resolve();
        });
      }),
  );
  await Promise.all(ended);
  signal?.removeEventListener('abort', onAbort);
  if (failures.length > 0) throw new Error(`rebuild replay failed: ${failures.join('; ')}`);
}
