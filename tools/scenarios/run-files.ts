import { randomUUID } from 'node:crypto';
import { formatFailure, formatSummary, parseScenario, runScenario, type ScenarioTarget } from '@klp/domain';
import { collectScenarioFiles, readJson } from './load-files';

export interface FileResult {
  readonly file: string;
  readonly passed: boolean;
  /** One line per failing step, or one line saying why the file could not run. */
  readonly lines: readonly string[];
}

export interface RunReport {
  readonly files: readonly FileResult[];
  readonly passed: number;
  readonly failed: number;
  readonly summary: string;
}

/** Report lines stay one line each, whatever an error message holds. */
function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}

export async function runFile(
  file: string,
  target: ScenarioTarget,
  runId: string = randomUUID(),
): Promise<FileResult> {
  let raw: unknown;
  try {
    raw = await readJson(file);
  } catch (error) {
    return { file, passed: false, lines: [`${file}: cannot read: ${oneLine((error as Error).message)}`] };
  }
  const parsed = parseScenario(raw);
  if (!parsed.ok) return { file, passed: false, lines: [`${file}: not a scenario: ${parsed.error}`] };
  const result = await runScenario(parsed.scenario, target, { runId });
  return {
    file,
    passed: result.passed,
    lines: result.failures.map((failure) => formatFailure(file, failure)),
  };
}

/** Runs every file of `paths` (files, or directories of `*.json`) against one target, in order. */
export async function runFiles(paths: readonly string[], target: ScenarioTarget): Promise<RunReport> {
  const files = await collectScenarioFiles(paths);
  const results: FileResult[] = [];
  for (const file of files) results.push(await runFile(file, target));
  const passed = results.filter((result) => result.passed).length;
  const failed = results.length - passed;
  return { files: results, passed, failed, summary: formatSummary(passed, failed) };
}
