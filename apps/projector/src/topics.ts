import type { Admin } from 'kafkajs';
import { provisionTopics, topicNames } from '@klp/kafka';

export interface ProjectorTopics {
  readonly events: string;
  readonly audit: string;
  readonly dlq: string;
}

export function projectorTopics(prefix: string): ProjectorTopics {
  const { events, audit, dlq } = topicNames(prefix);
  return { events, audit, dlq };
}

/** The fleet's topics under the prefix, as every app provisions them (checking partition counts). */
export async function provisionProjectorTopics(
  admin: Admin,
  prefix: string,
  partitions: number,
): Promise<void> {
  await provisionTopics(admin, { partitions, prefix });
}
