/** One JSON line per entry on stderr, at or above the configured level. */
export type Level = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';
export type Logger = (level: Level, message: string, fields?: Record<string, unknown>) => void;

const RANK = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60, silent: 100 } as const;

/** The least level written; `silent` writes nothing. */
export type LogThreshold = keyof typeof RANK;

export function createLogger(app: string, threshold: LogThreshold): Logger {
  return (level, message, fields = {}) => {
    if (RANK[level] < RANK[threshold]) return;
    process.stderr.write(
      `${JSON.stringify({ time: new Date().toISOString(), level, app, message, ...fields })}\n`,
    );
  };
}
