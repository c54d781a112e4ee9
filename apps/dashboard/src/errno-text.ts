import type { Errno } from '@klp/contracts';

/**
 * What a refusal means, in the operator's words, for the dashboard's command buttons. The errno
 * stays visible beside it: it is the same word the kernel's livepatch core would have returned.
 */
const EXPLANATIONS: Record<Errno, string> = {
  EBUSY:
    'The host is busy: another patch is in transition, or the stacking order forbids it (enable patches in registration order, disable them in reverse).',
  EINVAL:
    'Not valid in the current state: the patch is already in the asked-for state, it is not the patch in transition, or the command itself is malformed.',
  ENOENT: 'No such patch is registered on this host.',
  EEXIST: 'It already exists: a patch with that name is registered, or that module is already loaded.',
  ESTALE:
    'Someone changed this host since you looked at it (the version you saw is no longer current). Reload and try again.',
};

export function explainErrno(errno: string): string {
  return (EXPLANATIONS as Record<string, string | undefined>)[errno] ?? `The kernel refused with ${errno}.`;
}
