import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `event_log` keeps the indexes its readers use (ADR 0010): the key, and `event_log_by_host`
 * (host_id, version) for a host's history, its events page and its time travel. No reader looks
 * events up by command id (outcomes are in `command_outcomes`), and time travel folds every event
 * of the host up to T anyway, so a (host_id, version) range filtered on time serves it.
 */
export class EventLogLeanIndexes1764979200000 implements MigrationInterface {
  name = 'EventLogLeanIndexes1764979200000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP INDEX event_log_by_command`);
    await runner.query(`DROP INDEX event_log_by_host_time`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`CREATE INDEX event_log_by_host_time ON event_log (host_id, occurred_at)`);
    await runner.query(`CREATE INDEX event_log_by_command ON event_log (command_id)`);
  }
}
