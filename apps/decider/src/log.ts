/** JSON lines on stdout: one object per line, `level`, `time`, `msg`, then the fields. */
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export type LogFn = (msg: string, fields?: Record<string, unknown>) => void;

export interface Logger {
  readonly error: LogFn;
  readonly warn: LogFn;
  readonly info: LogFn;
  readonly debug: LogFn;
  readonly debugEnabled: boolean;
}

const RANK: Record<LogLevel, number> = {
  trace: 10,
  debug: 20,
  info: 30,
  warn: 40,
  error: 50,
  fatal: 60,
  silent: 99,
};

function plain(value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Error) return { name: value.name, message: value.message };
  return value;
}

export function createLogger(
  level: LogLevel,
  app: string,
  write: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
): Logger {
  const at =
    (name: Exclude<LogLevel, 'silent' | 'fatal' | 'trace'>) =>
    (msg: string, fields?: Record<string, unknown>) => {
      if (RANK[name] < RANK[level]) return;
      const body: Record<string, unknown> = { level: name, time: new Date().toISOString(), app, msg };
      for (const [key, value] of Object.entries(fields ?? {})) body[key] = plain(value);
      write(JSON.stringify(body));
    };
  return {
    error: at('error'),
    warn: at('warn'),
    info: at('info'),
    debug: at('debug'),
    debugEnabled: RANK.debug >= RANK[level],
  };
}
