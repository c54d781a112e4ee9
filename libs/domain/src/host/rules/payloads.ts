import {
  ERRNO_NAME_PATTERN,
  FUNC_NAME_PATTERN,
  KERNEL_RELEASE_PATTERN,
  MODULE_NAME_PATTERN,
  VMLINUX,
  type BlockingTask,
  type RegisteredObject,
} from '@klp/contracts';
import { funcKey } from '../host.state';
import { parsed, refuse, type Parsed } from './verdict';

/**
 * Shape checks of untrusted payloads. Each returns the clean payload (only the known fields) or an
 * `EINVAL` refusal; never throws, whatever the JSON holds. Checks that DOMAIN.md orders after a state
 * check (an unknown patch is `ENOENT` before anything else) are left to the rules.
 */

type Fields = Readonly<Record<string, unknown>>;

function isRecord(value: unknown): value is Fields {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function show(value: unknown): string {
  const text = JSON.stringify(value);
  return text === undefined ? String(value) : text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

export function isModuleName(value: unknown): value is string {
  return typeof value === 'string' && MODULE_NAME_PATTERN.test(value);
}

function isFuncName(value: unknown): value is string {
  return typeof value === 'string' && FUNC_NAME_PATTERN.test(value);
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

export function payloadFields(payload: unknown): Parsed<Fields> {
  return isRecord(payload)
    ? parsed(payload)
    : refuse('EINVAL', `payload must be an object, got ${show(payload)}`);
}

/** `{patch, ...}` of a command that names a patch; any string is a name (an unknown one is the rule's business). */
export function parsePatchFields(payload: unknown): Parsed<{ patch: string; fields: Fields }> {
  const fields = payloadFields(payload);
  if (!fields.ok) return fields;
  const { patch } = fields.value;
  return typeof patch === 'string'
    ? parsed({ patch, fields: fields.value })
    : refuse('EINVAL', `patch must be a string, got ${show(patch)}`);
}

export function parsePatchRef(payload: unknown): Parsed<string> {
  const ref = parsePatchFields(payload);
  return ref.ok ? parsed(ref.value.patch) : ref;
}

export interface CleanRegistration {
  readonly name: string;
  readonly objects: readonly RegisteredObject[];
}

/** klp_init_patch()/klp_init_object()/klp_init_func() plus DOMAIN.md's name rules, in that order. */
export function parseRegistration(payload: unknown): Parsed<CleanRegistration> {
  const fields = payloadFields(payload);
  if (!fields.ok) return fields;
  const { name, objects } = fields.value;
  if (!isModuleName(name)) return refuse('EINVAL', `bad patch name ${show(name)}`);
  if (!Array.isArray(objects) || objects.length === 0) {
    return refuse('EINVAL', `patch ${name} must list at least one object`);
  }
  const clean: RegisteredObject[] = [];
  const objectNames = new Set<string>();
  for (const object of objects as unknown[]) {
    if (!isRecord(object))
      return refuse('EINVAL', `patch ${name}: an object must be an object, got ${show(object)}`);
    const objectName = object.name;
    if (!isModuleName(objectName))
      return refuse('EINVAL', `patch ${name}: bad object name ${show(objectName)}`);
    if (objectNames.has(objectName))
      return refuse('EINVAL', `patch ${name}: object ${objectName} listed twice`);
    objectNames.add(objectName);
    // klp_init_object(): "if (!obj->funcs) return -EINVAL"; an empty list is a callbacks-only object.
    if (!Array.isArray(object.funcs))
      return refuse('EINVAL', `patch ${name}: object ${objectName} has no funcs list`);
    const funcs = parseFuncs(name, objectName, object.funcs as unknown[]);
    if (!funcs.ok) return funcs;
    clean.push({ name: objectName, funcs: funcs.value });
  }
  return parsed({ name, objects: clean });
}

function parseFuncs(
  patch: string,
  object: string,
  funcs: readonly unknown[],
): Parsed<RegisteredObject['funcs']> {
  const clean: { name: string; sympos: number }[] = [];
  const keys = new Set<string>();
  for (const func of funcs) {
    if (!isRecord(func)) return refuse('EINVAL', `patch ${patch}: a function of ${object} must be an object`);
    const { name, sympos } = func;
    if (!isFuncName(name))
      return refuse('EINVAL', `patch ${patch}: bad function name ${show(name)} in ${object}`);
    if (sympos !== undefined && !isCount(sympos)) {
      return refuse('EINVAL', `patch ${patch}: sympos of ${object}/${name} must be an integer >= 0`);
    }
    // Two entries with one sysfs name (`<name>,<sympos>`, 0 written 1) cannot both be registered.
    const key = funcKey(name, sympos);
    if (keys.has(key)) return refuse('EINVAL', `patch ${patch}: function ${object}/${key} listed twice`);
    keys.add(key);
    clean.push({ name, sympos: sympos ?? 0 });
  }
  return parsed(clean);
}

export interface CleanBoot {
  readonly kernelRelease: string;
  readonly modules: readonly string[];
}

export function parseBoot(payload: unknown): Parsed<CleanBoot> {
  const fields = payloadFields(payload);
  if (!fields.ok) return fields;
  const { kernelRelease, modules } = fields.value;
  if (typeof kernelRelease !== 'string' || !KERNEL_RELEASE_PATTERN.test(kernelRelease)) {
    return refuse(
      'EINVAL',
      `kernelRelease must be 1-64 characters without spaces, got ${show(kernelRelease)}`,
    );
  }
  if (!Array.isArray(modules)) return refuse('EINVAL', `modules must be a list, got ${show(modules)}`);
  const seen = new Set<string>();
  for (const module of modules as unknown[]) {
    if (module === VMLINUX) return refuse('EINVAL', 'vmlinux is the kernel, never a module');
    if (!isModuleName(module)) return refuse('EINVAL', `bad module name ${show(module)}`);
    if (seen.has(module)) return refuse('EINVAL', `module ${module} listed twice`);
    seen.add(module);
  }
  return parsed({ kernelRelease, modules: [...seen].sort(compareNames) });
}

/** Code-unit order: the same on every machine, unlike `localeCompare`. */
export function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** `{module}` of ModuleComing/ModuleGoing: a module name that is not vmlinux. */
export function parseModule(payload: unknown): Parsed<string> {
  const fields = payloadFields(payload);
  if (!fields.ok) return fields;
  const { module } = fields.value;
  if (module === VMLINUX) return refuse('EINVAL', 'vmlinux is the kernel, never a module');
  return isModuleName(module) ? parsed(module) : refuse('EINVAL', `bad module name ${show(module)}`);
}

export function parseErrnoName(value: unknown): Parsed<string> {
  return typeof value === 'string' && ERRNO_NAME_PATTERN.test(value)
    ? parsed(value)
    : refuse('EINVAL', `errno must be an errno name such as "ENODEV", got ${show(value)}`);
}

export interface CleanProgress {
  readonly pendingTasks: number;
  readonly blockingTasks: readonly BlockingTask[];
}

// The same bounds as the edge schema (libs/contracts/src/schemas): a 32-bit count or pid, a comm
// of at most 64 characters (TASK_COMM_LEN is 16), a function of at most 256.
const MAX_INT32 = 2 ** 31 - 1;

function isInt32(value: unknown): value is number {
  return isCount(value) && value <= MAX_INT32;
}

function isText(value: unknown, max: number): value is string {
  return typeof value === 'string' && value.length <= max;
}

export function parseProgress(fields: Fields): Parsed<CleanProgress> {
  const { pendingTasks, blockingTasks } = fields;
  if (!isInt32(pendingTasks))
    return refuse('EINVAL', `pendingTasks must be an integer >= 0, got ${show(pendingTasks)}`);
  if (blockingTasks === undefined) return parsed({ pendingTasks, blockingTasks: [] });
  if (!Array.isArray(blockingTasks))
    return refuse('EINVAL', `blockingTasks must be a list, got ${show(blockingTasks)}`);
  const clean: BlockingTask[] = [];
  for (const task of blockingTasks as unknown[]) {
    if (!isRecord(task) || !isInt32(task.pid) || !isText(task.comm, 64)) {
      return refuse('EINVAL', `a blocking task needs an integer pid and a comm, got ${show(task)}`);
    }
    if (task.function !== undefined && !isText(task.function, 256)) {
      return refuse('EINVAL', `the function of a blocking task must be a string, got ${show(task.function)}`);
    }
    clean.push(
      task.function === undefined
        ? { pid: task.pid, comm: task.comm }
        : { pid: task.pid, comm: task.comm, function: task.function },
    );
  }
  return parsed({ pendingTasks, blockingTasks: clean });
}
