import type { Errno } from './errno';
import type { BlockingTask } from './commands';

/**
 * Events of one host, the source of truth on `klp.events`. Past tense, one per decided command, each
 * carrying enough to rebuild the host by folding from the initial state. Never change a payload in
 * place: add a schemaVersion and an upcaster instead.
 */
export const EVENT_SCHEMA_VERSION = 1 as const;

export type TransitionTarget = 'patched' | 'unpatched';

export interface RegisteredFunc {
  readonly name: string;
  /** As sent; 0 when the command left it out (the view writes 0 as 1). */
  readonly sympos: number;
}

export interface RegisteredObject {
  readonly name: string;
  readonly funcs: readonly RegisteredFunc[];
}

export interface PatchNamePayload {
  readonly patch: string;
}

export interface TransitionPayload {
  readonly patch: string;
  readonly target: TransitionTarget;
}

/** Payload of each event type. */
export interface EventPayloads {
  /** A (re)boot: no patches, no transition; `modules` sorted and unique. */
  HostBooted: { readonly kernelRelease: string; readonly modules: readonly string[] };
  PatchRegistered: { readonly patch: string; readonly objects: readonly RegisteredObject[] };
  /** The patch is enabled and a transition to `patched` starts. */
  PatchEnabled: PatchNamePayload;
  /** The patch is disabled and a transition to `unpatched` starts. */
  PatchDisabled: PatchNamePayload;
  /** The running transition now heads to `target`; the progress report is cleared. */
  TransitionReversed: TransitionPayload;
  /** The transition reached `target` (PatchComplete or UnpatchComplete). */
  TransitionCompleted: TransitionPayload;
  /** An operator forced the transition: it reached `target` and the patch is `forced`. */
  TransitionForced: TransitionPayload;
  /** The kernel refused to start patching: the transition is cancelled, the patch disabled. */
  PatchEnableFailed: { readonly patch: string; readonly errno: string };
  TransitionProgressReported: {
    readonly patch: string;
    readonly pendingTasks: number;
    readonly blockingTasks: readonly BlockingTask[];
  };
  PatchUnregistered: PatchNamePayload;
  ModuleLoaded: { readonly module: string };
  ModuleUnloaded: { readonly module: string };
  /** A refusal: it records the outcome for idempotency and changes neither the view nor the version. */
  CommandRejected: { readonly commandType: string; readonly errno: Errno; readonly reason: string };
}

export type EventType = keyof EventPayloads;

export const EVENT_TYPES = [
  'HostBooted',
  'PatchRegistered',
  'PatchEnabled',
  'PatchDisabled',
  'TransitionReversed',
  'TransitionCompleted',
  'TransitionForced',
  'PatchEnableFailed',
  'TransitionProgressReported',
  'PatchUnregistered',
  'ModuleLoaded',
  'ModuleUnloaded',
  'CommandRejected',
] as const satisfies readonly EventType[];

export function isEventType(value: unknown): value is EventType {
  return typeof value === 'string' && (EVENT_TYPES as readonly string[]).includes(value);
}

export interface EventEnvelope<T extends EventType = EventType> {
  readonly schemaVersion: typeof EVENT_SCHEMA_VERSION;
  readonly type: T;
  readonly hostId: string;
  /**
   * The host version the accepted command moved to (gapless from 1); for `CommandRejected`, the
   * version the command was decided against.
   */
  readonly version: number;
  readonly payload: EventPayloads[T];
  /** Causation: the command that produced it. */
  readonly commandId: string;
  readonly correlationId: string;
  readonly actor: string;
  /** The command's `issuedAt`. */
  readonly occurredAt: string;
}

export type HostEvent = { [T in EventType]: EventEnvelope<T> }[EventType];

export type CommandRejected = EventEnvelope<'CommandRejected'>;

/** Every event but `CommandRejected`: those that move the host to a new version. */
export type AcceptedEvent = Exclude<HostEvent, CommandRejected>;
