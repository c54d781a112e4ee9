/**
 * HTTP to the api with a bearer token. Transient trouble (network errors, 502/503/504, 429) is
 * retried with exponential backoff and jitter; the simulator never crashes on the api's account.
 */
export interface ApiResponse<T> {
  status: number;
  body: T;
}

export type Log = (level: 'info' | 'warn' | 'error', message: string) => void;

const RETRYABLE = new Set([429, 502, 503, 504]);

export class ApiClient {
  /** Requests that failed transiently and were retried (for the summary). */
  retries = 0;

  constructor(
    private readonly baseUrl: string,
    private readonly token: string,
    private readonly log: Log,
    private readonly timeoutMs = 30_000,
  ) {}

  /** One request; `attempts` bounds the retries (Infinity for reports that must arrive). */
  async request<T>(
    method: 'GET' | 'POST',
    path: string,
    body?: unknown,
    attempts = 4,
  ): Promise<ApiResponse<T>> {
    let delay = 250;
    for (let attempt = 1; ; attempt++) {
      let problem: string;
      try {
        const response = await fetch(`${this.baseUrl}${path}`, {
          method,
          headers: {
            authorization: `Bearer ${this.token}`,
            ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          },
          body: body === undefined ? undefined : JSON.stringify(body),
          signal: AbortSignal.timeout(this.timeoutMs),
        });
        if (!RETRYABLE.has(response.status)) {
          const text = await response.text();
          return { status: response.status, body: (text ? JSON.parse(text) : null) as T };
        }
        await response.body?.cancel();
        problem = `HTTP ${response.status}`;
      } catch (error) {
        problem = error instanceof Error ? error.message : String(error);
      }
      this.retries++;
      if (attempt >= attempts) throw new Error(`${method} ${path}: ${problem} after ${attempt} attempts`);
      if (attempt === 3 || attempt % 20 === 0) this.log('warn', `${method} ${path}: ${problem}; retrying`);
      await sleep(delay * (0.5 + Math.random()));
      delay = Math.min(delay * 2, 10_000);
    }
  }

  /** Every page of a keyset-paginated list (`{items, nextCursor}`). */
  async pages<T>(path: string, limit = 500): Promise<T[]> {
    const items: T[] = [];
    let cursor: string | null = null;
    do {
      const separator = path.includes('?') ? '&' : '?';
      const url: string = `${path}${separator}limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`;
      const page = await this.request<{ items: T[]; nextCursor: string | null }>('GET', url);
      if (page.status === 404) return items;
      if (page.status !== 200) throw new Error(`GET ${url}: HTTP ${page.status}`);
      items.push(...page.body.items);
      cursor = page.body.nextCursor;
    } while (cursor);
    return items;
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
