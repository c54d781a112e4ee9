import type { Errno } from './errno';

/** What became of a command: what `GET /v1/commands/{id}` answers, and what a repeat returns. */
export type CommandOutcome =
  | {
      readonly commandId: string;
      readonly hostId: string;
      readonly status: 'accepted';
      /** The version the command moved its host to. */
      readonly version: number;
    }
  | {
      readonly commandId: string;
      readonly hostId: string;
      readonly status: 'rejected';
      readonly errno: Errno;
      readonly reason: string;
      /** The version the command was decided against. */
      readonly version: number;
    };
