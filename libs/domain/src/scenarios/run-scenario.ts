import type { HostView } from '@klp/contracts';
import { partialMatch, type Mismatch } from './match';
import type { Scenario, ScenarioDo } from './scenario';
import type { ScenarioCommand, ScenarioTarget } from './target';

export interface StepProblem {
  /** What was checked: `do EnablePatch on h1`, or the view path such as `h1.patches.lp-1.state`. */
  readonly at: string;
  readonly expected: string;
  readonly got: string;
}

export interface StepFailure {
  /** 1-based, as a reader counts the steps of the file. */
  readonly step: number;
  readonly problems: readonly StepProblem[];
}

export interface ScenarioResult {
  readonly name: string;
  readonly passed: boolean;
  readonly failures: readonly StepFailure[];
}

export interface RunOptions {
  /** Unique per run: every host id and command id of the file is mapped to a fresh one with it. */
  readonly runId: string;
}

/** The file's ids ↔ this run's ids, so that a file can run any number of times on one live stack. */
class IdMap {
  private readonly hosts = new Map<string, string>();
  private readonly back = new Map<string, string>();

  constructor(private readonly runId: string) {}

  host(fileId: string): string {
    let fresh = this.hosts.get(fileId);
    if (fresh === undefined) {
      fresh = `${fileId}.${this.runId}`;
      this.hosts.set(fileId, fresh);
      this.back.set(fresh, fileId);
    }
    return fresh;
  }

  command(fileId: string | undefined, step: number): string {
    return fileId === undefined ? `${this.runId}.step-${step}` : `${fileId}.${this.runId}`;
  }

  fileHost(freshId: string): string {
    return this.back.get(freshId) ?? freshId;
  }
}

const MAX_SHOWN = 300;

/** JSON of a value for a report line; `undefined` is shown as `absent`. */
export function shown(value: unknown): string {
  if (value === undefined) return 'absent';
  const text = JSON.stringify(value);
  return text.length > MAX_SHOWN ? `${text.slice(0, MAX_SHOWN - 3)}...` : text;
}

function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function mapCommand(ids: IdMap, command: ScenarioDo, step: number): ScenarioCommand {
  return {
    commandId: ids.command(command.commandId, step),
    hostId: ids.host(command.hostId),
    type: command.type,
    payload: command.payload,
    ...(command.expectedVersion !== undefined ? { expectedVersion: command.expectedVersion } : {}),
  };
}

function inFileIds(ids: IdMap, hostView: HostView | null): HostView | null {
  return hostView && { ...hostView, hostId: ids.fileHost(hostView.hostId) };
}

async function checkViews(
  target: ScenarioTarget,
  ids: IdMap,
  hosts: Readonly<Record<string, unknown>>,
): Promise<StepProblem[]> {
  const problems: StepProblem[] = [];
  for (const [hostId, expected] of Object.entries(hosts)) {
    let actual: HostView | null;
    try {
      actual = inFileIds(ids, await target.view(ids.host(hostId)));
    } catch (error) {
      problems.push({
        at: `view ${hostId}`,
        expected: shown(expected),
        got: `error: ${describeError(error)}`,
      });
      continue;
    }
    const mismatches: Mismatch[] = partialMatch(expected, actual, hostId);
    for (const mismatch of mismatches) {
      problems.push({ at: mismatch.path, expected: shown(mismatch.expected), got: shown(mismatch.actual) });
    }
  }
  return problems;
}

/** Runs every step, and keeps going after a failing one so that each failure is reported. */
export async function runScenario(
  scenario: Scenario,
  target: ScenarioTarget,
  options: RunOptions,
): Promise<ScenarioResult> {
  const ids = new IdMap(options.runId);
  const failures: StepFailure[] = [];
  for (const [index, step] of scenario.steps.entries()) {
    const number = index + 1;
    if (step.kind === 'view') {
      const problems = await checkViews(target, ids, step.hosts);
      if (problems.length > 0) failures.push({ step: number, problems });
      continue;
    }
    const at = `do ${String(step.command.type)} on ${step.command.hostId}`;
    let got: string;
    try {
      got = await target.send(mapCommand(ids, step.command, number));
    } catch (error) {
      got = `error: ${describeError(error)}`;
    }
    if (got !== step.expect) failures.push({ step: number, problems: [{ at, expected: step.expect, got }] });
  }
  return { name: scenario.name, passed: failures.length === 0, failures };
}

/** One report line per failing step: file, step number, expected, got. */
export function formatFailure(file: string, failure: StepFailure): string {
  const problems = failure.problems.map((problem) =>
    problem.at === ''
      ? `expected ${problem.expected}, got ${problem.got}`
      : `${problem.at}: expected ${problem.expected}, got ${problem.got}`,
  );
  return `${file}: step ${failure.step}: ${problems.join('; ')}`;
}

export function formatSummary(passed: number, failed: number): string {
  return `${passed} passed, ${failed} failed`;
}
