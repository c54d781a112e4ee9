// The pure domain of klp-fleet: one host's livepatch state as a Decider, its view, its audit diff
// and the scenario runner's core. No I/O, no clock, no randomness.

export { initialState, hostExists, funcKey } from './host/host.state';
export type { HostState, PatchState, ObjectState, TransitionState } from './host/host.state';
export { decide } from './host/decide';
export type { Decision } from './host/decision';
export { evolve, fold } from './host/evolve';
export { view } from './host/host.view';
export { REMEMBERED_COMMANDS } from './host/command-memory';
export type { CommandMemo, CommandMemory } from './host/command-memory';
export type { CommandRule, CommandRules, PatchOrder, RuleProfile } from './host/rules/rule-profile';
export { stackingProfile, stackingOrder, STACKING_PROFILE_ID } from './host/rules/stacking.profile';
export type { Refusal, Verdict, EventBody } from './host/rules/verdict';
export { auditChanges } from './audit/audit-changes';
export { upcast, UpcastError } from '@klp/contracts';
export type {
  AttributeChange,
  CommandEnvelope,
  CommandOutcome,
  CommandRejected,
  Errno,
  HostEvent,
  HostView,
} from '@klp/contracts';

export { parseScenario } from './scenarios/scenario';
export type { Scenario, ScenarioStep, ScenarioDo, ParsedScenario } from './scenarios/scenario';
export { partialMatch, jsonEqual } from './scenarios/match';
export type { Mismatch } from './scenarios/match';
export { runScenario, formatFailure, formatSummary } from './scenarios/run-scenario';
export type { RunOptions, ScenarioResult, StepFailure, StepProblem } from './scenarios/run-scenario';
export type { ScenarioCommand, ScenarioTarget, SendResult } from './scenarios/target';
export { inProcessTarget } from './scenarios/in-process-target';
export type { InProcessOptions, InProcessTarget } from './scenarios/in-process-target';
