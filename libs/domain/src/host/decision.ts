import type { CommandOutcome, CommandRejected, Errno, HostEvent } from '@klp/contracts';

/** What `decide` answers; the caller appends `events` and folds them with `evolve`. */
export type Decision =
  | { readonly outcome: 'accepted'; readonly events: HostEvent[] }
  | {
      readonly outcome: 'rejected';
      readonly errno: Errno;
      readonly reason: string;
      readonly events: [CommandRejected];
    }
  /** A repeated commandId: no events, the first outcome again. */
  | { readonly outcome: 'duplicate'; readonly first: CommandOutcome };
