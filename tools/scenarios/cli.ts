import { inProcessTarget, type ScenarioTarget } from '@klp/domain';
import { apiTarget } from './api-target';
import { runFiles } from './run-files';

const USAGE = `usage: npm run scenarios -- [--api <base-url> --token <token>] <file-or-dir>...
  Runs scenario files (DOMAIN.md format) in-process, or against a live stack with --api.
  Prints one line per failing step, then "N passed, M failed" (files); exits 1 if any failed.`;

export interface CliIo {
  out(line: string): void;
  err(line: string): void;
}

export interface CliArgs {
  readonly api?: string;
  readonly token?: string;
  readonly paths: readonly string[];
}

export function parseArgs(argv: readonly string[]): CliArgs | string {
  const paths: string[] = [];
  let api: string | undefined;
  let token: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--api' || arg === '--token') {
      const value = argv[++i];
      if (value === undefined || value.startsWith('--')) return `${arg} needs a value`;
      if (arg === '--api') api = value;
      else token = value;
    } else if (arg === '--help' || arg === '-h') {
      return '';
    } else if (arg.startsWith('--')) {
      return `unknown option ${arg}`;
    } else {
      paths.push(arg);
    }
  }
  if (token !== undefined && api === undefined) return '--token is only for --api';
  if (api !== undefined && token === undefined) return '--api needs --token';
  if (api !== undefined && !/^https?:\/\//.test(api)) return `--api must be an http(s) URL, got ${api}`;
  if (paths.length === 0) return 'name at least one scenario file or directory';
  return { paths, ...(api !== undefined ? { api } : {}), ...(token !== undefined ? { token } : {}) };
}

/** The whole CLI, without touching `process`: returns the exit code. */
export async function main(argv: readonly string[], io: CliIo, target?: ScenarioTarget): Promise<number> {
  const args = parseArgs(argv);
  if (typeof args === 'string') {
    if (args !== '') io.err(args);
    io.err(USAGE);
    return args === '' ? 0 : 2;
  }
  const chosen =
    target ??
    (args.api !== undefined && args.token !== undefined
      ? apiTarget({ baseUrl: args.api, token: args.token })
      : inProcessTarget());
  let report;
  try {
    report = await runFiles(args.paths, chosen);
  } catch (error) {
    io.err((error as Error).message);
    io.out('0 passed, 0 failed');
    return 1;
  }
  for (const file of report.files) for (const line of file.lines) io.out(line);
  if (report.files.length === 0) io.err(`no scenario files in ${args.paths.join(' ')}`);
  io.out(report.summary);
  return report.failed > 0 || report.files.length === 0 ? 1 : 0;
}

if (require.main === module) {
  void main(process.argv.slice(2), {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
  }).then((code) => {
    process.exitCode = code;
  });
}
