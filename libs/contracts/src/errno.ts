/**
 * The errnos a command can be refused with. The names are the kernel's own (`-EBUSY` from
 * `__klp_enable_patch`, `-EINVAL` from `enabled_store`, ...) so that an operator reads the same word
 * the kernel would have written to dmesg. `ESTALE` is ours: an `expectedVersion` that lost a race.
 */
export const ERRNOS = ['EINVAL', 'ENOENT', 'EEXIST', 'EBUSY', 'ESTALE'] as const;

export type Errno = (typeof ERRNOS)[number];

export function isErrno(value: unknown): value is Errno {
  return typeof value === 'string' && (ERRNOS as readonly string[]).includes(value);
}
