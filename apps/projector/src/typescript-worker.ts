import path from 'node:path';
import { Worker } from 'node:worker_threads';

const root = path.resolve(__dirname, '../../..');
/** V8's young generation of each projector or rebuild thread (semi-spaces included), in MiB: ADR 0011. */
const YOUNG_GENERATION_MB = 192;

/**
 * A worker thread running a TypeScript file of this app. A Worker will not load TypeScript by
 * name, so the thread's first script installs the loader this process runs under. The larger young
 * generation: a projector allocates short-lived objects for every Kafka record, row and field, and
 * V8's default made garbage collection a sixth of its CPU profile (ADR 0011).
 */
export function startTypeScriptWorker(file: string, workerData: unknown): Worker {
  const script =
    `require(${JSON.stringify(path.join(root, 'tools/register.js'))});` + `require(${JSON.stringify(file)});`;
  return new Worker(script, {
    eval: true,
    workerData,
    resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB },
  });
}
