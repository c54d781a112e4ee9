import { Args, Int, Mutation, Resolver } from '@nestjs/graphql';
import type { CommandType } from '@klp/contracts';
import { CurrentPrincipal } from '../auth/auth.guard';
import type { Principal } from '../auth/token-registry';
import { CommandsService } from '../commands/commands.service';
import { commandResult } from './errors';
import { BlockingTaskInput, CommandInput, CommandResultType, ObjectInput } from './types';

const DEFAULT_WAIT_MS = 10_000;

/** Optional envelope arguments every per-command mutation takes. */
interface Envelope {
  commandId?: string;
  expectedVersion?: number;
  wait?: boolean;
}

/**
 * GraphQL mutations of API.md: `submitCommand` and one per command type. Each builds the same body
 * as REST and goes through the same edge check, role matrix and Kafka send.
 */
@Resolver()
export class CommandsResolver {
  constructor(private readonly commands: CommandsService) {}

  @Mutation(() => CommandResultType)
  submitCommand(
    @CurrentPrincipal() principal: Principal,
    @Args('input') input: CommandInput,
    @Args('wait', { nullable: true }) wait?: boolean,
  ): Promise<CommandResultType> {
    return this.send(principal, { ...input }, wait);
  }

  @Mutation(() => CommandResultType)
  registerPatch(
    @CurrentPrincipal() principal: Principal,
    @Args('hostId') hostId: string,
    @Args('name') name: string,
    @Args('objects', { type: () => [ObjectInput] }) objects: ObjectInput[],
    @Args('commandId', { nullable: true }) commandId?: string,
    @Args('expectedVersion', { type: () => Int, nullable: true }) expectedVersion?: number,
    @Args('wait', { nullable: true }) wait?: boolean,
  ): Promise<CommandResultType> {
    const payload = {
      name,
      objects: objects.map((object) => ({ name: object.name, funcs: object.funcs.map((f) => ({ ...f })) })),
    };
    return this.command(principal, 'RegisterPatch', hostId, payload, { commandId, expectedVersion, wait });
  }

  @Mutation(() => CommandResultType)
  enablePatch(
    @CurrentPrincipal() principal: Principal,
    @Args('hostId') hostId: string,
    @Args('patch') patch: string,
    @Args('commandId', { nullable: true }) commandId?: string,
    @Args('expectedVersion', { type: () => Int, nullable: true }) expectedVersion?: number,
    @Args('wait', { nullable: true }) wait?: boolean,
  ): Promise<CommandResultType> {
    return this.command(principal, 'EnablePatch', hostId, { patch }, { commandId, expectedVersion, wait });
  }

  @Mutation(() => CommandResultType)
  disablePatch(
    @CurrentPrincipal() principal: Principal,
    @Args('hostId') hostId: string,
    @Args('patch') patch: string,
    @Args('commandId', { nullable: true }) commandId?: string,
    @Args('expectedVersion', { type: () => Int, nullable: true }) expectedVersion?: number,
    @Args('wait', { nullable: true }) wait?: boolean,
  ): Promise<CommandResultType> {
    return this.command(principal, 'DisablePatch', hostId, { patch }, { commandId, expectedVersion, wait });
  }

  @Mutation(() => CommandResultType)
  unregisterPatch(
    @CurrentPrincipal() principal: Principal,
    @Args('hostId') hostId: string,
    @Args('patch') patch: string,
    @Args('commandId', { nullable: true }) commandId?: string,
    @Args('expectedVersion', { type: () => Int, nullable: true }) expectedVersion?: number,
    @Args('wait', { nullable: true }) wait?: boolean,
  ): Promise<CommandResultType> {
    return this.command(
      principal,
      'UnregisterPatch',
      hostId,
      { patch },
      { commandId, expectedVersion, wait },
    );
  }

  @Mutation(() => CommandResultType)
  forceTransition(
    @CurrentPrincipal() principal: Principal,
    @Args('hostId') hostId: string,
    @Args('patch') patch: string,
    @Args('commandId', { nullable: true }) commandId?: string,
    @Args('expectedVersion', { type: () => Int, nullable: true }) expectedVersion?: number,
    @Args('wait', { nullable: true }) wait?: boolean,
  ): Promise<CommandResultType> {
    return this.command(
      principal,
      'ForceTransition',
      hostId,
      { patch },
      { commandId, expectedVersion, wait },
    );
  }

  @Mutation(() => CommandResultType)
  patchComplete(
    @CurrentPrincipal() principal: Principal,
    @Args('hostId') hostId: string,
    @Args('patch') patch: string,
    @Args('commandId', { nullable: true }) commandId?: string,
    @Args('expectedVersion', { type: () => Int, nullable: true }) expectedVersion?: number,
    @Args('wait', { nullable: true }) wait?: boolean,
  ): Promise<CommandResultType> {
    return this.command(principal, 'PatchComplete', hostId, { patch }, { commandId, expectedVersion, wait });
  }

  @Mutation(() => CommandResultType)
  unpatchComplete(
    @CurrentPrincipal() principal: Principal,
    @Args('hostId') hostId: string,
    @Args('patch') patch: string,
    @Args('commandId', { nullable: true }) commandId?: string,
    @Args('expectedVersion', { type: () => Int, nullable: true }) expectedVersion?: number,
    @Args('wait', { nullable: true }) wait?: boolean,
  ): Promise<CommandResultType> {
    return this.command(
      principal,
      'UnpatchComplete',
      hostId,
      { patch },
      { commandId, expectedVersion, wait },
    );
  }

  @Mutation(() => CommandResultType)
  hostBooted(
    @CurrentPrincipal() principal: Principal,
    @Args('hostId') hostId: string,
    @Args('kernelRelease') kernelRelease: string,
    @Args('modules', { type: () => [String] }) modules: string[],
    @Args('commandId', { nullable: true }) commandId?: string,
    @Args('expectedVersion', { type: () => Int, nullable: true }) expectedVersion?: number,
    @Args('wait', { nullable: true }) wait?: boolean,
  ): Promise<CommandResultType> {
    return this.command(
      principal,
      'HostBooted',
      hostId,
      { kernelRelease, modules },
      { commandId, expectedVersion, wait },
    );
  }

  @Mutation(() => CommandResultType)
  moduleComing(
    @CurrentPrincipal() principal: Principal,
    @Args('hostId') hostId: string,
    @Args('module') module: string,
    @Args('commandId', { nullable: true }) commandId?: string,
    @Args('expectedVersion', { type: () => Int, nullable: true }) expectedVersion?: number,
    @Args('wait', { nullable: true }) wait?: boolean,
  ): Promise<CommandResultType> {
    return this.command(principal, 'ModuleComing', hostId, { module }, { commandId, expectedVersion, wait });
  }

  @Mutation(() => CommandResultType)
  moduleGoing(
    @CurrentPrincipal() principal: Principal,
    @Args('hostId') hostId: string,
    @Args('module') module: string,
    @Args('commandId', { nullable: true }) commandId?: string,
    @Args('expectedVersion', { type: () => Int, nullable: true }) expectedVersion?: number,
    @Args('wait', { nullable: true }) wait?: boolean,
  ): Promise<CommandResultType> {
    return this.command(principal, 'ModuleGoing', hostId, { module }, { commandId, expectedVersion, wait });
  }

  @Mutation(() => CommandResultType)
  enableFailed(
    @CurrentPrincipal() principal: Principal,
    @Args('hostId') hostId: string,
    @Args('patch') patch: string,
    @Args('errno') errno: string,
    @Args('commandId', { nullable: true }) commandId?: string,
    @Args('expectedVersion', { type: () => Int, nullable: true }) expectedVersion?: number,
    @Args('wait', { nullable: true }) wait?: boolean,
  ): Promise<CommandResultType> {
    return this.command(
      principal,
      'EnableFailed',
      hostId,
      { patch, errno },
      { commandId, expectedVersion, wait },
    );
  }

  @Mutation(() => CommandResultType)
  transitionProgress(
    @CurrentPrincipal() principal: Principal,
    @Args('hostId') hostId: string,
    @Args('patch') patch: string,
    @Args('pendingTasks', { type: () => Int }) pendingTasks: number,
    @Args('blockingTasks', { type: () => [BlockingTaskInput], nullable: true })
    blockingTasks?: BlockingTaskInput[],
    @Args('commandId', { nullable: true }) commandId?: string,
    @Args('expectedVersion', { type: () => Int, nullable: true }) expectedVersion?: number,
    @Args('wait', { nullable: true }) wait?: boolean,
  ): Promise<CommandResultType> {
    const payload = {
      patch,
      pendingTasks,
      ...(blockingTasks ? { blockingTasks: blockingTasks.map((task) => ({ ...task })) } : {}),
    };
    return this.command(principal, 'TransitionProgress', hostId, payload, {
      commandId,
      expectedVersion,
      wait,
    });
  }

  private command(
    principal: Principal,
    type: CommandType,
    hostId: string,
    payload: unknown,
    envelope: Envelope,
  ) {
    const body = {
      hostId,
      type,
      payload,
      ...(envelope.commandId !== undefined ? { commandId: envelope.commandId } : {}),
      ...(envelope.expectedVersion !== undefined ? { expectedVersion: envelope.expectedVersion } : {}),
    };
    return this.send(principal, body, envelope.wait);
  }

  private async send(
    principal: Principal,
    body: Record<string, unknown>,
    wait?: boolean,
  ): Promise<CommandResultType> {
    const cleaned = Object.fromEntries(
      Object.entries(body).filter(([, value]) => value !== null && value !== undefined),
    );
    const [submission] = await this.commands.submit(principal, [cleaned], {
      wait: wait ?? false,
      timeoutMs: DEFAULT_WAIT_MS,
    });
    return commandResult(submission);
  }
}
