import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `patch_state_history` filled once per statement instead of once per row (ADR 0010). The row
 * trigger ran a PL/pgSQL UPDATE and INSERT for every patch `state` record; COPY of 600,000 audit rows
 * (one in eight a patch state) took 9.1–10.1 s with it and 5.8–6.0 s without. The statement trigger
 * reads the statement's new rows as a transition table and does the same in one UPDATE and one INSERT:
 * within the statement each change's interval ends where the next change of the same host and patch
 * begins (`lead`), and the interval still open before the statement ends at its first change.
 */
export class PatchStatePerStatement1765065600000 implements MigrationInterface {
  name = 'PatchStatePerStatement1765065600000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TRIGGER audit_log_patch_state ON audit_log`);
    await runner.query(`
      CREATE FUNCTION record_patch_states() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        WITH changes AS (
          SELECT host_id, patch, at, seq, to_value,
                 lead(at) OVER (PARTITION BY host_id, patch ORDER BY seq) AS next_at,
                 row_number() OVER (PARTITION BY host_id, patch ORDER BY seq) AS n
            FROM new_audit_rows
           WHERE entity_kind = 'patch' AND attribute = 'state'
        ), closed AS (
          UPDATE patch_state_history AS open SET valid_to = first.at
            FROM changes AS first
           WHERE first.n = 1 AND open.host_id = first.host_id AND open.patch = first.patch
             AND open.valid_to = 'infinity'
        )
        INSERT INTO patch_state_history (host_id, patch, state, valid_from, valid_to, from_seq)
        SELECT host_id, patch, to_value #>> '{}', at, coalesce(next_at, 'infinity'), seq
          FROM changes
         WHERE to_value IS NOT NULL AND jsonb_typeof(to_value) = 'string';
        RETURN NULL;
      END $$`);
    await runner.query(`
      CREATE TRIGGER audit_log_patch_states AFTER INSERT ON audit_log
      REFERENCING NEW TABLE AS new_audit_rows
      FOR EACH STATEMENT EXECUTE FUNCTION record_patch_states()`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TRIGGER audit_log_patch_states ON audit_log`);
    await runner.query(`DROP FUNCTION record_patch_states()`);
    await runner.query(`
      CREATE TRIGGER audit_log_patch_state AFTER INSERT ON audit_log
      FOR EACH ROW WHEN (NEW.entity_kind = 'patch' AND NEW.attribute = 'state')
      EXECUTE FUNCTION record_patch_state()`);
  }
}
