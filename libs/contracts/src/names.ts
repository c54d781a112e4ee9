/**
 * Name rules of DOMAIN.md ("Names"), shared by the domain and the edge schemas so that both refuse
 * the same strings.
 */

/** A kernel module name (`MODULE_NAME_LEN` is 56 with the NUL): patches, modules and objects. */
export const MODULE_NAME_PATTERN = /^[A-Za-z0-9_-]{1,55}$/;

/** A symbol name (`KSYM_NAME_LEN` is 128 with the NUL), e.g. `foo.isra.0`. */
export const FUNC_NAME_PATTERN = /^[A-Za-z0-9_.$]{1,127}$/;

/** `uname -r`: 1 to 64 characters, no spaces (`__NEW_UTS_LEN` is 64). */
export const KERNEL_RELEASE_PATTERN = /^\S{1,64}$/;

/** An errno name as the agent reports it, e.g. `ENODEV`. */
export const ERRNO_NAME_PATTERN = /^E[A-Z0-9]{1,31}$/;

/** The kernel itself: always there, never a module. */
export const VMLINUX = 'vmlinux';
