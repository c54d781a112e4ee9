/**
 * Commands of DOMAIN.md: what an operator asks for, or what a host's agent reports the kernel did.
 * They arrive as untrusted JSON; these types describe a well-formed command, and the decider checks
 * every field again before it trusts one.
 */

export interface FuncSpec {
  readonly name: string;
  /** Position of the symbol among same-named ones; 0 or absent means "the only one" (written 1). */
  readonly sympos?: number;
}

export interface ObjectSpec {
  /** `vmlinux` or a module name. */
  readonly name: string;
  /** May be empty: such an object carries only callbacks and is patched like any other. */
  readonly funcs: readonly FuncSpec[];
}

export interface RegisterPatchPayload {
  readonly name: string;
  readonly objects: readonly ObjectSpec[];
}

export interface PatchRefPayload {
  readonly patch: string;
}

export interface HostBootedPayload {
  readonly kernelRelease: string;
  readonly modules: readonly string[];
}

export interface ModulePayload {
  readonly module: string;
}

export interface EnableFailedPayload {
  readonly patch: string;
  /** An errno name such as `ENODEV` (the `pre_patch` callback or ftrace error). */
  readonly errno: string;
}

export type BlockingTask = {
  readonly pid: number;
  readonly comm: string;
  readonly function?: string;
};

export interface TransitionProgressPayload {
  readonly patch: string;
  readonly pendingTasks: number;
  readonly blockingTasks?: readonly BlockingTask[];
}

/** Payload of each command type. */
export interface CommandPayloads {
  RegisterPatch: RegisterPatchPayload;
  EnablePatch: PatchRefPayload;
  DisablePatch: PatchRefPayload;
  UnregisterPatch: PatchRefPayload;
  ForceTransition: PatchRefPayload;
  HostBooted: HostBootedPayload;
  ModuleComing: ModulePayload;
  ModuleGoing: ModulePayload;
  PatchComplete: PatchRefPayload;
  UnpatchComplete: PatchRefPayload;
  EnableFailed: EnableFailedPayload;
  TransitionProgress: TransitionProgressPayload;
}

export type CommandType = keyof CommandPayloads;

/** Commands an operator sends (API role `operator`). */
export const OPERATOR_COMMAND_TYPES = [
  'RegisterPatch',
  'EnablePatch',
  'DisablePatch',
  'UnregisterPatch',
  'ForceTransition',
] as const satisfies readonly CommandType[];

/** Reports of what the kernel did, sent by the host's agent (API role `agent`). */
export const AGENT_COMMAND_TYPES = [
  'HostBooted',
  'ModuleComing',
  'ModuleGoing',
  'PatchComplete',
  'UnpatchComplete',
  'EnableFailed',
  'TransitionProgress',
] as const satisfies readonly CommandType[];

export const COMMAND_TYPES: readonly CommandType[] = [...OPERATOR_COMMAND_TYPES, ...AGENT_COMMAND_TYPES];

export function isCommandType(value: unknown): value is CommandType {
  return typeof value === 'string' && (COMMAND_TYPES as readonly string[]).includes(value);
}

/** One command as it travels on `klp.commands`: time, ids and the actor come from the edge. */
export interface CommandEnvelopeOf<T extends CommandType> {
  /** The idempotency key, unique fleet-wide. */
  readonly commandId: string;
  readonly hostId: string;
  readonly type: T;
  readonly payload: CommandPayloads[T];
  /** The token subject that sent it; copied into every event and audit record. */
  readonly actor: string;
  /** ISO-8601; becomes the `occurredAt` of the events. */
  readonly issuedAt: string;
  /** Optimistic concurrency: the host version the sender saw. */
  readonly expectedVersion?: number;
  /** Defaults to the commandId. */
  readonly correlationId?: string;
}

export type CommandEnvelope = { [T in CommandType]: CommandEnvelopeOf<T> }[CommandType];
