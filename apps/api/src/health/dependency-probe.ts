import type { Admin } from 'kafkajs';
import type { Pool } from 'pg';

export type DependencyStatus =
  { name: string; ok: true; ms: number } | { name: string; ok: false; error: string };

/**
 * Probes one dependency with a hard deadline, so that `/health/ready` answers quickly even while
 * a dependency hangs rather than refuses.
 */
export async function probe(
  name: string,
  check: () => Promise<unknown>,
  timeoutMs: number,
): Promise<DependencyStatus> {
  const started = Date.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      check(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    return { name, ok: true, ms: Date.now() - started };
  } catch (error) {
    return { name, ok: false, error: error instanceof Error ? error.message : String(error) };
  } finally {
    clearTimeout(timer);
  }
}

export const postgresCheck = (pool: Pool) => () => pool.query('SELECT 1');
export const kafkaCheck = (admin: Admin) => () => admin.describeCluster();
