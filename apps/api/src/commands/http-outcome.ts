import type { CommandOutcome, Errno } from '@klp/contracts';

/** API.md: 404 ENOENT, 409 EBUSY/EEXIST/ESTALE, 422 EINVAL. */
export const ERRNO_HTTP_STATUS: Record<Errno, number> = {
  ENOENT: 404,
  EBUSY: 409,
  EEXIST: 409,
  ESTALE: 409,
  EINVAL: 422,
};

export type CommandAnswer =
  | { commandId: string; status: 'pending' }
  | { commandId: string; status: 'accepted'; hostId: string; version: number }
  | { commandId: string; status: 'rejected'; hostId: string; errno: Errno; reason: string; version: number };

export function answerOf(outcome: CommandOutcome): CommandAnswer {
  return outcome.status === 'accepted'
    ? { commandId: outcome.commandId, status: 'accepted', hostId: outcome.hostId, version: outcome.version }
    : {
        commandId: outcome.commandId,
        status: 'rejected',
        hostId: outcome.hostId,
        errno: outcome.errno,
        reason: outcome.reason,
        version: outcome.version,
      };
}

/** The HTTP status of an answer; `waited` distinguishes a wait that timed out (504) from no wait (202). */
export function httpStatusOf(answer: CommandAnswer, waited: boolean): number {
  switch (answer.status) {
    case 'accepted':
      return 200;
    case 'rejected':
      return ERRNO_HTTP_STATUS[answer.errno];
    case 'pending':
      return waited ? 504 : 202;
  }
}
