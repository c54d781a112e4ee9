import { Field, InputType, Int, ObjectType } from '@nestjs/graphql';
import { JsonScalar } from '../graphql/json.scalar';

@ObjectType('AuditEntity')
export class AuditEntityType {
  @Field() kind!: string;
  @Field(() => String, { nullable: true }) patch?: string;
  @Field(() => String, { nullable: true }) object?: string;
  @Field(() => String, { nullable: true }) func?: string;
}

/** One record of API.md "Audit"; `from` and `to` are JSON values. */
@ObjectType('AuditRecord')
export class AuditRecordType {
  @Field() hostId!: string;
  /** Position in the host's chain, from 1. Int is 32 bits: a chain never gets that long. */
  @Field(() => Int) seq!: number;
  @Field(() => Int) version!: number;
  @Field(() => Int) index!: number;
  @Field() at!: string;
  @Field() actor!: string;
  @Field() commandId!: string;
  @Field() commandType!: string;
  @Field(() => AuditEntityType) entity!: AuditEntityType;
  @Field() attribute!: string;
  @Field(() => JsonScalar, { nullable: true }) from!: unknown;
  @Field(() => JsonScalar, { nullable: true }) to!: unknown;
  @Field() prevHash!: string;
  @Field() hash!: string;
}

@ObjectType('AuditPage')
export class AuditPageType {
  @Field(() => [AuditRecordType]) items!: AuditRecordType[];
  @Field(() => String, { nullable: true }) nextCursor!: string | null;
}

@InputType('AuditFilterInput')
export class AuditFilterInput {
  @Field(() => String, { nullable: true }) hostId?: string;
  @Field(() => String, { nullable: true }) patch?: string;
  @Field(() => String, { nullable: true }) actor?: string;
  @Field(() => String, { nullable: true }) commandId?: string;
  /** ISO-8601 instants with a zone. */
  @Field(() => String, { nullable: true }) since?: string;
  @Field(() => String, { nullable: true }) until?: string;
}

@ObjectType('AuditVerdict')
export class AuditVerdictType {
  @Field() hostId!: string;
  @Field(() => Int) records!: number;
  @Field() ok!: boolean;
  @Field(() => Int, { nullable: true }) firstBrokenVersion?: number;
}

@ObjectType('PatchHostAt')
export class PatchHostAtType {
  @Field() hostId!: string;
  @Field() state!: string;
  @Field() since!: string;
}

@ObjectType('PatchHostsAtPage')
export class PatchHostsAtPageType {
  @Field() at!: string;
  @Field(() => [PatchHostAtType]) items!: PatchHostAtType[];
  @Field(() => String, { nullable: true }) nextCursor!: string | null;
}
