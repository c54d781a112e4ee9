import type { Errno, HostView } from '@klp/contracts';

/** A command as the runner sends it: ids already mapped to this run's fresh ones. */
export interface ScenarioCommand {
  readonly commandId: string;
  readonly hostId: string;
  readonly type: unknown;
  readonly payload: unknown;
  readonly expectedVersion?: unknown;
}

export type SendResult = 'ok' | Errno;

/**
 * Where scenarios run: in-process against the decider, or over REST against a live stack. A target
 * throws when it cannot tell the outcome (a transport failure, an unexpected HTTP status).
 */
export interface ScenarioTarget {
  send(command: ScenarioCommand): Promise<SendResult>;
  view(hostId: string): Promise<HostView | null>;
}
