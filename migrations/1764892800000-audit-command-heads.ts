import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Audit indexes on command heads (ADR 0010). The records of one command share its host, time, actor
 * and command id, so the indexes that look up by those need only the command's first record
 * (`record_index = 0`), about one row in eight; the reader expands each head to its records through
 * the primary key, now ordered (host_id, at, seq) so that a host's timeline is a range of it and
 * `audit_log_by_host_time` goes. `audit_log_by_patch` stays per record: one command (a module
 * coming) can touch several patches.
 */
export class AuditCommandHeads1764892800000 implements MigrationInterface {
  name = 'AuditCommandHeads1764892800000';

  async up(runner: QueryRunner): Promise<void> {
    for (const index of [
      'audit_log_by_host_time',
      'audit_log_by_time',
      'audit_log_by_actor',
      'audit_log_by_command',
    ]) {
      await runner.query(`DROP INDEX ${index}`);
    }
    await runner.query(`ALTER TABLE audit_log DROP CONSTRAINT audit_log_pkey`);
    await runner.query(`ALTER TABLE audit_log ADD CONSTRAINT audit_log_pkey PRIMARY KEY (host_id, at, seq)`);
    await runner.query(
      `CREATE INDEX audit_heads_by_time ON audit_log (at, host_id, seq) WHERE record_index = 0`,
    );
    await runner.query(
      `CREATE INDEX audit_heads_by_actor ON audit_log (actor, at, host_id, seq) WHERE record_index = 0`,
    );
    await runner.query(
      `CREATE INDEX audit_heads_by_command ON audit_log (command_id) WHERE record_index = 0`,
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    for (const index of ['audit_heads_by_time', 'audit_heads_by_actor', 'audit_heads_by_command']) {
      await runner.query(`DROP INDEX ${index}`);
    }
    await runner.query(`ALTER TABLE audit_log DROP CONSTRAINT audit_log_pkey`);
    await runner.query(`ALTER TABLE audit_log ADD CONSTRAINT audit_log_pkey PRIMARY KEY (host_id, seq, at)`);
    await runner.query(`CREATE INDEX audit_log_by_time ON audit_log (at, host_id, seq)`);
    await runner.query(`CREATE INDEX audit_log_by_actor ON audit_log (actor, at)`);
    await runner.query(`CREATE INDEX audit_log_by_command ON audit_log (command_id)`);
    await runner.query(`CREATE INDEX audit_log_by_host_time ON audit_log (host_id, at, seq)`);
  }
}
