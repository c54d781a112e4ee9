import { Field, InputType, Int, ObjectType } from '@nestjs/graphql';
import { JsonScalar } from './json.scalar';

@ObjectType('BlockingTask')
export class BlockingTaskType {
  @Field(() => Int) pid!: number;
  @Field() comm!: string;
  @Field(() => String, { nullable: true }) function?: string;
}

@ObjectType('Transition')
export class TransitionType {
  @Field() patch!: string;
  @Field() target!: string;
  @Field(() => Int, { nullable: true }) pendingTasks!: number | null;
  @Field(() => [BlockingTaskType]) blockingTasks!: BlockingTaskType[];
}

@ObjectType('Func')
export class FuncType {
  /** `<name>,<sympos>` like the sysfs directory. */
  @Field() key!: string;
  @Field() patched!: boolean;
  @Field() transition!: boolean;
  @Field() state!: string;
}

@ObjectType('PatchObject')
export class PatchObjectType {
  @Field() name!: string;
  @Field() loaded!: boolean;
  @Field() patched!: boolean;
  @Field() state!: string;
  @Field(() => [FuncType]) funcs!: FuncType[];
}

@ObjectType('Patch')
export class PatchType {
  @Field() name!: string;
  @Field() enabled!: boolean;
  @Field() forced!: boolean;
  @Field() state!: string;
  @Field(() => [PatchObjectType]) objects!: PatchObjectType[];
}

@ObjectType('FuncStack')
export class FuncStackType {
  /** `<object>/<name>,<sympos>`. */
  @Field() function!: string;
  /** Newest first: the first one's code runs. */
  @Field(() => [String]) patches!: string[];
}

@ObjectType('Host')
export class HostType {
  @Field() hostId!: string;
  @Field(() => Int) version!: number;
  @Field(() => String, { nullable: true }) kernelRelease!: string | null;
  @Field(() => [String]) loadedModules!: string[];
  @Field(() => TransitionType, { nullable: true }) transition!: TransitionType | null;
  @Field(() => [String]) stack!: string[];
  @Field(() => [PatchType]) patches!: PatchType[];
  @Field(() => [FuncStackType]) funcStacks!: FuncStackType[];
  /** The host view exactly as REST serves it (DOMAIN.md "The host view"). */
  @Field(() => JsonScalar) view!: unknown;
}

@ObjectType('HostTransitionSummary')
export class HostTransitionSummaryType {
  @Field() patch!: string;
  @Field() target!: string;
  @Field(() => Int, { nullable: true }) pendingTasks!: number | null;
  @Field(() => String, { nullable: true }) since!: string | null;
}

@ObjectType('HostSummary')
export class HostSummaryType {
  @Field() hostId!: string;
  @Field(() => Int) version!: number;
  @Field(() => String, { nullable: true }) kernelRelease!: string | null;
  @Field(() => HostTransitionSummaryType, { nullable: true }) transition!: HostTransitionSummaryType | null;
  @Field(() => Int) patches!: number;
}

@ObjectType('HostPage')
export class HostPageType {
  @Field(() => [HostSummaryType]) items!: HostSummaryType[];
  @Field(() => String, { nullable: true }) nextCursor!: string | null;
}

@InputType('HostFilter')
export class HostFilterInput {
  @Field(() => String, { nullable: true }) patch?: string;
  @Field(() => String, { nullable: true }) state?: string;
  @Field(() => String, { nullable: true }) kernel?: string;
  @Field(() => String, { nullable: true }) label?: string;
  @Field(() => String, { nullable: true }) prefix?: string;
}

@InputType('Page')
export class PageInput {
  @Field(() => Int, { nullable: true }) limit?: number;
  @Field(() => String, { nullable: true }) cursor?: string;
}

@ObjectType('PatchStateCounts')
export class PatchStateCountsType {
  @Field() patch!: string;
  @Field(() => Int) disabled!: number;
  @Field(() => Int) enabled!: number;
  @Field(() => Int) transition!: number;
  @Field(() => Int) patched!: number;
}

@ObjectType('RunningTransition')
export class RunningTransitionType {
  @Field() hostId!: string;
  @Field() patch!: string;
  @Field() target!: string;
  @Field() since!: string;
  @Field(() => Int) runningForMs!: number;
  @Field(() => Int, { nullable: true }) pendingTasks!: number | null;
  @Field(() => [BlockingTaskType]) blockingTasks!: BlockingTaskType[];
}

@ObjectType('FunctionOnHost')
export class FunctionOnHostType {
  @Field() hostId!: string;
  @Field(() => [String]) stack!: string[];
  @Field() active!: string;
}

@ObjectType('FunctionStacks')
export class FunctionStacksType {
  @Field() object!: string;
  @Field() func!: string;
  @Field(() => [FunctionOnHostType]) items!: FunctionOnHostType[];
  @Field(() => String, { nullable: true }) nextCursor!: string | null;
}

@ObjectType('CommandResult')
export class CommandResultType {
  @Field() commandId!: string;
  /** pending, accepted or rejected (a rejection is also a GraphQL error with the errno as code). */
  @Field() status!: string;
  @Field(() => String, { nullable: true }) hostId?: string;
  @Field(() => Int, { nullable: true }) version?: number;
  @Field(() => String, { nullable: true }) errno?: string;
  @Field(() => String, { nullable: true }) reason?: string;
}

@InputType('CommandInput')
export class CommandInput {
  @Field(() => String, { nullable: true }) commandId?: string;
  @Field() hostId!: string;
  @Field() type!: string;
  @Field(() => JsonScalar) payload!: unknown;
  @Field(() => Int, { nullable: true }) expectedVersion?: number;
}

@InputType('FuncInput')
export class FuncInput {
  @Field() name!: string;
  @Field(() => Int, { nullable: true }) sympos?: number;
}

@InputType('ObjectInput')
export class ObjectInput {
  @Field() name!: string;
  @Field(() => [FuncInput]) funcs!: FuncInput[];
}

@InputType('BlockingTaskInput')
export class BlockingTaskInput {
  @Field(() => Int) pid!: number;
  @Field() comm!: string;
  @Field(() => String, { nullable: true }) function?: string;
}
