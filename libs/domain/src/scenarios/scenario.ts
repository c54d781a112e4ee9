/**
 * Scenario files (DOMAIN.md "Scenarios"): steps that send a command and expect `ok` or an errno, or
 * match part of one or more host views. Files are untrusted input: `parseScenario` says what is wrong
 * instead of throwing.
 */

export interface ScenarioDo {
  readonly hostId: string;
  readonly type: unknown;
  readonly payload: unknown;
  readonly commandId?: string;
  readonly expectedVersion?: unknown;
}

export type ScenarioStep =
  | { readonly kind: 'do'; readonly command: ScenarioDo; readonly expect: string }
  /** Expected part of each named host's view; `null` says the host does not exist. */
  | { readonly kind: 'view'; readonly hosts: Readonly<Record<string, unknown>> };

export interface Scenario {
  readonly name: string;
  readonly source?: string;
  readonly steps: readonly ScenarioStep[];
}

export type ParsedScenario =
  { readonly ok: true; readonly scenario: Scenario } | { readonly ok: false; readonly error: string };

const EXPECTATION = /^(ok|E[A-Z0-9]{1,31})$/;

type Fields = Readonly<Record<string, unknown>>;

function isRecord(value: unknown): value is Fields {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parseStep(raw: unknown, number: number): ScenarioStep | string {
  if (!isRecord(raw)) return `step ${number} is not an object`;
  if ('view' in raw) {
    if ('do' in raw) return `step ${number} has both "do" and "view"`;
    const { view } = raw;
    if (!isRecord(view) || Object.keys(view).length === 0)
      return `step ${number}: "view" must name at least one host`;
    for (const [hostId, expected] of Object.entries(view)) {
      if (expected !== null && !isRecord(expected))
        return `step ${number}: view of ${hostId} must be an object or null`;
    }
    return { kind: 'view', hosts: view };
  }
  const command = raw.do;
  if (!isRecord(command)) return `step ${number} has neither "do" nor "view"`;
  if (typeof command.hostId !== 'string') return `step ${number}: "do" needs a string hostId`;
  if (command.commandId !== undefined && typeof command.commandId !== 'string') {
    return `step ${number}: commandId must be a string`;
  }
  if (typeof raw.expect !== 'string' || !EXPECTATION.test(raw.expect)) {
    return `step ${number}: "expect" must be "ok" or an errno`;
  }
  const parsed: ScenarioDo = {
    hostId: command.hostId,
    type: command.type,
    payload: command.payload,
    ...(typeof command.commandId === 'string' ? { commandId: command.commandId } : {}),
    ...(command.expectedVersion !== undefined ? { expectedVersion: command.expectedVersion } : {}),
  };
  return { kind: 'do', command: parsed, expect: raw.expect };
}

export function parseScenario(raw: unknown): ParsedScenario {
  if (!isRecord(raw)) return { ok: false, error: 'a scenario must be a JSON object' };
  const { name, source, steps } = raw;
  if (name !== undefined && typeof name !== 'string') return { ok: false, error: '"name" must be a string' };
  if (!Array.isArray(steps) || steps.length === 0)
    return { ok: false, error: '"steps" must be a non-empty list' };
  const parsedSteps: ScenarioStep[] = [];
  for (const [index, step] of (steps as unknown[]).entries()) {
    const parsed = parseStep(step, index + 1);
    if (typeof parsed === 'string') return { ok: false, error: parsed };
    parsedSteps.push(parsed);
  }
  return {
    ok: true,
    scenario: {
      name: name ?? '',
      ...(typeof source === 'string' ? { source } : {}),
      steps: parsedSteps,
    },
  };
}
