/** Errors that say Postgres is not there yet (down, restarting, starting up), not that it refuses us. */
const TRANSIENT_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  // Postgres: admin shutdown, crash shutdown, "the database system is starting up".
  '57P01',
  '57P02',
  '57P03',
]);

export function isTransientConnectionError(error: unknown): boolean {
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (typeof code === 'string' && TRANSIENT_CODES.has(code)) return true;
  // pg's own words for a connect timeout and for a socket closed under it.
  return (
    typeof message === 'string' &&
    /timeout exceeded when trying to connect|Connection terminated/.test(message)
  );
}

export interface BootWaitOptions {
  /** How long transient failures are retried before the last one is thrown. */
  readonly waitMs: number;
  readonly onRetry: (error: Error, delayMs: number) => void;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly now?: () => number;
}

/**
 * Runs `attempt` until it succeeds, retrying transient connection failures with a doubling delay
 * (250 ms to 5 s) for up to `waitMs`. A projector restarted while Postgres restarts waits for it
 * instead of exiting into a crash loop; a refusal (bad password, no such database) fails at once.
 */
export async function untilReachable<T>(attempt: () => Promise<T>, options: BootWaitOptions): Promise<T> {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const now = options.now ?? Date.now;
  const deadline = now() + options.waitMs;
  for (let delay = 250; ; delay = Math.min(delay * 2, 5000)) {
    try {
      return await attempt();
    } catch (error) {
      const left = deadline - now();
      if (!isTransientConnectionError(error) || left <= 0) throw error;
      const wait = Math.min(delay, left);
      options.onRetry(error as Error, wait);
      await sleep(wait);
    }
  }
}
