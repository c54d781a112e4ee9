import { z } from 'zod';
import { COMMAND_TYPES, type CommandPayloads, type CommandType } from '../commands';

/**
 * The edge's check of a command body (API.md, "Commands"): the JSON shape only. The names' rules
 * (DOMAIN.md "Names") stay with the decider, because their errno depends on the order of its
 * checks — `EnablePatch` of a badly named patch is `ENOENT`, not a malformed body.
 */
export const ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;
export const MAX_BATCH_COMMANDS = 1000;

const id = (what: string) =>
  z.string().regex(ID_PATTERN, `${what} must be 1-128 characters of [A-Za-z0-9._:-]`);
const text = z.string();
const patchRef = z.strictObject({ patch: text });

const payloadSchemas: { [T in CommandType]: z.ZodType<CommandPayloads[T]> } = {
  RegisterPatch: z.strictObject({
    name: text,
    objects: z
      .array(
        z.strictObject({
          name: text,
          funcs: z.array(z.strictObject({ name: text, sympos: z.number().int().optional() })).max(10_000),
        }),
      )
      .max(1_000),
  }),
  EnablePatch: patchRef,
  DisablePatch: patchRef,
  UnregisterPatch: patchRef,
  ForceTransition: patchRef,
  HostBooted: z.strictObject({ kernelRelease: text, modules: z.array(text).max(10_000) }),
  ModuleComing: z.strictObject({ module: text }),
  ModuleGoing: z.strictObject({ module: text }),
  PatchComplete: patchRef,
  UnpatchComplete: patchRef,
  EnableFailed: z.strictObject({ patch: text, errno: text }),
  TransitionProgress: z.strictObject({
    patch: text,
    pendingTasks: z
      .number()
      .int()
      .min(0)
      .max(2 ** 31 - 1),
    blockingTasks: z
      .array(
        z.strictObject({
          pid: z
            .number()
            .int()
            .min(0)
            .max(2 ** 31 - 1),
          comm: z.string().max(64),
          function: z.string().max(256).optional(),
        }),
      )
      .max(10_000)
      .optional(),
  }),
};

const envelopeFields = {
  commandId: id('commandId').optional(),
  hostId: id('hostId'),
  expectedVersion: z
    .number()
    .int()
    .min(0)
    .max(2 ** 31 - 1)
    .optional(),
};

/** `{commandId?, hostId, type, payload, expectedVersion?}`, the payload checked for its type. */
export const commandBodySchema = z.discriminatedUnion(
  'type',
  COMMAND_TYPES.map((type) =>
    z.strictObject({ ...envelopeFields, type: z.literal(type), payload: payloadSchemas[type] }),
  ) as unknown as [z.ZodObject, ...z.ZodObject[]],
  { error: () => ({ message: `type must be one of ${COMMAND_TYPES.join(', ')}` }) },
);

export type CommandBody = {
  [T in CommandType]: {
    commandId?: string;
    hostId: string;
    type: T;
    payload: CommandPayloads[T];
    expectedVersion?: number;
  };
}[CommandType];

export interface Problem {
  path: string;
  message: string;
}

export type BodyCheck<T> = { ok: true; value: T } | { ok: false; problems: Problem[] };

/** Checks one body; on failure lists every problem with its JSON path (`payload.objects.0.name`). */
export function checkCommandBody(body: unknown): BodyCheck<CommandBody> {
  const result = commandBodySchema.safeParse(body);
  if (result.success) return { ok: true, value: result.data as CommandBody };
  return {
    ok: false,
    problems: result.error.issues.map((issue) => ({
      path: issue.path.map(String).join('.') || '(body)',
      message: issue.message,
    })),
  };
}
