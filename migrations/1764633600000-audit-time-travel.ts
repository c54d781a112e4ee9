import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Audit and time travel (ADR 0006):
 * - `audit_log_by_host_time`: a host's timeline, newest first, in key order.
 * - `patch_state_history`: per host and patch, the intervals in which the patch had each derived
 *   state. Filled by a trigger on `audit_log` (the patch `state` records carry from, to and time), so
 *   it is written in the projector's own transaction without a line of projector code, and a rebuild
 *   that replays `klp.audit` refills it. "Which hosts had P in state S at T" is then one index range.
 * - `ensure_log_partitions(months_ahead)`: monthly partitions of both logs, created ahead.
 * - `klp_app`: the role the apps should log in as; it may insert and read the logs, never change them.
 */
export class AuditTimeTravel1764633600000 implements MigrationInterface {
  name = 'AuditTimeTravel1764633600000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`CREATE INDEX audit_log_by_host_time ON audit_log (host_id, at, seq)`);

    // valid_to 'infinity' rather than NULL: "open at T" is then `valid_to > T`, one btree range.
    await runner.query(`
      CREATE TABLE patch_state_history (
        host_id    text NOT NULL,
        patch      text NOT NULL,
        state      text NOT NULL,
        valid_from timestamptz NOT NULL,
        valid_to   timestamptz NOT NULL DEFAULT 'infinity',
        from_seq   bigint NOT NULL,
        PRIMARY KEY (host_id, patch, from_seq)
      )`);
    await runner.query(
      `CREATE INDEX patch_state_history_at ON patch_state_history (patch, valid_to, valid_from) INCLUDE (state, host_id)`,
    );
    await runner.query(
      `CREATE INDEX patch_state_history_open ON patch_state_history (host_id, patch) WHERE valid_to = 'infinity'`,
    );
    await runner.query(`
      CREATE FUNCTION record_patch_state() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        UPDATE patch_state_history SET valid_to = NEW.at
         WHERE host_id = NEW.host_id AND patch = NEW.patch AND valid_to = 'infinity';
        IF NEW.to_value IS NOT NULL AND jsonb_typeof(NEW.to_value) = 'string' THEN
          INSERT INTO patch_state_history (host_id, patch, state, valid_from, from_seq)
          VALUES (NEW.host_id, NEW.patch, NEW.to_value #>> '{}', NEW.at, NEW.seq);
        END IF;
        RETURN NULL;
      END $$`);
    await runner.query(`
      CREATE TRIGGER audit_log_patch_state AFTER INSERT ON audit_log
      FOR EACH ROW WHEN (NEW.entity_kind = 'patch' AND NEW.attribute = 'state')
      EXECUTE FUNCTION record_patch_state()`);
    // Records projected before this migration.
    await runner.query(`
      INSERT INTO patch_state_history (host_id, patch, state, valid_from, valid_to, from_seq)
      SELECT host_id, patch, to_value #>> '{}', at, coalesce(next_at, 'infinity'), seq
        FROM (SELECT host_id, patch, to_value, at, seq,
                     lead(at) OVER (PARTITION BY host_id, patch ORDER BY seq) AS next_at
                FROM audit_log WHERE entity_kind = 'patch' AND attribute = 'state') AS changes
       WHERE jsonb_typeof(to_value) = 'string'`);

    // A month whose rows already sit in the default partition is skipped: attaching it would
    // fail; moving those rows out is an offline job (ADR 0006).
    await runner.query(`
      CREATE FUNCTION ensure_log_partitions(months_ahead integer) RETURNS integer LANGUAGE plpgsql AS $$
      DECLARE
        created integer := 0;
        log record;
        month_start timestamptz;
        name text;
        occupied boolean;
      BEGIN
        FOR log IN SELECT * FROM (VALUES ('audit_log', 'at'), ('event_log', 'occurred_at')) AS t(tbl, col) LOOP
          FOR i IN 0..months_ahead LOOP
            month_start := date_trunc('month', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' + make_interval(months => i);
            name := format('%s_y%sm%s', log.tbl, to_char(month_start AT TIME ZONE 'UTC', 'YYYY'),
                           to_char(month_start AT TIME ZONE 'UTC', 'MM'));
            CONTINUE WHEN to_regclass(name) IS NOT NULL;
            EXECUTE format('SELECT EXISTS (SELECT 1 FROM %I WHERE %I >= $1 AND %I < $2)',
                           log.tbl || '_default', log.col, log.col)
              INTO occupied USING month_start, month_start + interval '1 month';
            IF occupied THEN
              RAISE NOTICE '%: rows of this month are in the default partition; left there', name;
              CONTINUE;
            END IF;
            EXECUTE format('CREATE TABLE %I PARTITION OF %I FOR VALUES FROM (%L) TO (%L)',
                           name, log.tbl, month_start, month_start + interval '1 month');
            created := created + 1;
          END LOOP;
        END LOOP;
        RETURN created;
      END $$`);
    await runner.query(`SELECT ensure_log_partitions(12)`);

    // Roles are cluster-wide and test databases migrate in parallel: creating it may race.
    await runner.query(`
      DO $$ BEGIN
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'klp_app') THEN
          CREATE ROLE klp_app NOLOGIN;
        END IF;
      EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
      END $$`);
    await runner.query(`GRANT USAGE ON SCHEMA ${await currentSchema(runner)} TO klp_app`);
    await runner.query(`GRANT SELECT, INSERT ON audit_log, event_log TO klp_app`);
    await runner.query(
      `GRANT SELECT, INSERT, UPDATE, DELETE ON hosts, host_patches, host_objects, host_funcs,
             command_outcomes, projection_offsets, patch_state_history TO klp_app`,
    );
    await runner.query(`GRANT SELECT ON host_func_stacks, patch_state_counts TO klp_app`);
  }

  async down(runner: QueryRunner): Promise<void> {
    const schema = await currentSchema(runner);
    await runner.query(`REVOKE ALL ON ALL TABLES IN SCHEMA ${schema} FROM klp_app`);
    await runner.query(`REVOKE USAGE ON SCHEMA ${schema} FROM klp_app`);
    // Monthly partitions stay: their rows are the log. The role stays: other databases may use it.
    await runner.query(`DROP FUNCTION ensure_log_partitions(integer)`);
    await runner.query(`DROP TRIGGER audit_log_patch_state ON audit_log`);
    await runner.query(`DROP FUNCTION record_patch_state()`);
    await runner.query(`DROP TABLE patch_state_history`);
    await runner.query(`DROP INDEX audit_log_by_host_time`);
  }
}

async function currentSchema(runner: QueryRunner): Promise<string> {
  const rows = (await runner.query(`SELECT quote_ident(current_schema()) AS schema`)) as { schema: string }[];
  return rows[0].schema;
}
