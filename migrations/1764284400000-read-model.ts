import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The read model of DOMAIN.md's host view, one table per level, plus the logs. Names are
 * unqualified on purpose: the data source sets `search_path`, so a rebuild can lay the same schema
 * into a fresh Postgres schema and swap it in (ARCHITECTURE.md, "Rebuild").
 */
export class ReadModel1764284400000 implements MigrationInterface {
  name = 'ReadModel1764284400000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE hosts (
        host_id           text PRIMARY KEY,
        version           integer NOT NULL,
        kernel_release    text,
        loaded_modules    text[] NOT NULL DEFAULT '{}',
        stack             text[] NOT NULL DEFAULT '{}',
        transition_patch  text,
        transition_target text CHECK (transition_target IN ('patched', 'unpatched')),
        pending_tasks     integer,
        blocking_tasks    jsonb NOT NULL DEFAULT '[]',
        transition_since  timestamptz,
        labels            jsonb NOT NULL DEFAULT '{}',
        created_at        timestamptz NOT NULL,
        updated_at        timestamptz NOT NULL,
        CHECK ((transition_patch IS NULL) = (transition_target IS NULL))
      )`);
    await runner.query(`CREATE INDEX hosts_kernel_release ON hosts (kernel_release, host_id)`);
    await runner.query(
      `CREATE INDEX hosts_in_transition ON hosts (transition_since) WHERE transition_patch IS NOT NULL`,
    );
    await runner.query(`CREATE INDEX hosts_labels ON hosts USING gin (labels jsonb_path_ops)`);

    const state = `text NOT NULL CHECK (state IN ('disabled', 'enabled', 'transition', 'patched'))`;
    await runner.query(`
      CREATE TABLE host_patches (
        host_id  text NOT NULL REFERENCES hosts (host_id) ON DELETE CASCADE,
        patch    text NOT NULL,
        position integer NOT NULL,
        enabled  boolean NOT NULL,
        forced   boolean NOT NULL,
        state    ${state},
        PRIMARY KEY (host_id, patch)
      )`);
    await runner.query(`CREATE INDEX host_patches_by_patch_state ON host_patches (patch, state, host_id)`);
    await runner.query(`
      CREATE TABLE host_objects (
        host_id text NOT NULL,
        patch   text NOT NULL,
        object  text NOT NULL,
        loaded  boolean NOT NULL,
        patched boolean NOT NULL,
        state   ${state},
        PRIMARY KEY (host_id, patch, object),
        FOREIGN KEY (host_id, patch) REFERENCES host_patches (host_id, patch) ON DELETE CASCADE
      )`);
    await runner.query(`
      CREATE TABLE host_funcs (
        host_id    text NOT NULL,
        patch      text NOT NULL,
        object     text NOT NULL,
        func       text NOT NULL,
        patched    boolean NOT NULL,
        transition boolean NOT NULL,
        state      ${state},
        PRIMARY KEY (host_id, patch, object, func),
        FOREIGN KEY (host_id, patch, object) REFERENCES host_objects (host_id, patch, object) ON DELETE CASCADE
      )`);
    await runner.query(
      `CREATE INDEX host_funcs_by_function ON host_funcs (object, func, host_id) WHERE patched`,
    );

    // A func stack is derived, not stored: the patches with that function patched, newest
    // registration first (stacking only lets patches reach the stack in registration order).
    await runner.query(`
      CREATE VIEW host_func_stacks AS
      SELECT f.host_id, f.object, f.func,
             array_agg(f.patch ORDER BY p.position DESC) AS patches,
             (array_agg(f.patch ORDER BY p.position DESC))[1] AS active_patch
        FROM host_funcs f
        JOIN host_patches p USING (host_id, patch)
       WHERE f.patched
       GROUP BY f.host_id, f.object, f.func`);
    await runner.query(`
      CREATE VIEW patch_state_counts AS
      SELECT patch, state, count(*)::integer AS hosts FROM host_patches GROUP BY patch, state`);

    await runner.query(`
      CREATE TABLE command_outcomes (
        command_id   text PRIMARY KEY,
        host_id      text NOT NULL,
        command_type text NOT NULL,
        status       text NOT NULL CHECK (status IN ('accepted', 'rejected')),
        version      integer NOT NULL,
        errno        text,
        reason       text,
        actor        text NOT NULL,
        decided_at   timestamptz NOT NULL
      )`);
    await runner.query(`CREATE INDEX command_outcomes_by_host ON command_outcomes (host_id, decided_at)`);

    // The two logs grow forever: range-partitioned by time so old months can be detached and
    // archived, with a default partition so that no row is ever refused for a missing month.
    await runner.query(`
      CREATE TABLE event_log (
        host_id         text NOT NULL,
        version         integer NOT NULL,
        event_index     smallint NOT NULL,
        type            text NOT NULL,
        schema_version  smallint NOT NULL,
        payload         jsonb NOT NULL,
        command_id      text NOT NULL,
        correlation_id  text NOT NULL,
        actor           text NOT NULL,
        occurred_at     timestamptz NOT NULL,
        kafka_partition integer NOT NULL,
        kafka_offset    bigint NOT NULL,
        PRIMARY KEY (kafka_partition, kafka_offset, event_index, occurred_at)
      ) PARTITION BY RANGE (occurred_at)`);
    await runner.query(`CREATE TABLE event_log_default PARTITION OF event_log DEFAULT`);
    await runner.query(`CREATE INDEX event_log_by_host ON event_log (host_id, version)`);
    await runner.query(`CREATE INDEX event_log_by_host_time ON event_log (host_id, occurred_at)`);
    await runner.query(`CREATE INDEX event_log_by_command ON event_log (command_id)`);

    await runner.query(`
      CREATE TABLE audit_log (
        host_id      text NOT NULL,
        seq          bigint NOT NULL,
        version      integer NOT NULL,
        record_index integer NOT NULL,
        at           timestamptz NOT NULL,
        actor        text NOT NULL,
        command_id   text NOT NULL,
        command_type text NOT NULL,
        entity_kind  text NOT NULL,
        patch        text,
        object       text,
        func         text,
        attribute    text NOT NULL,
        from_value   jsonb,
        to_value     jsonb,
        prev_hash    text NOT NULL,
        hash         text NOT NULL,
        PRIMARY KEY (host_id, seq, at)
      ) PARTITION BY RANGE (at)`);
    await runner.query(`CREATE TABLE audit_log_default PARTITION OF audit_log DEFAULT`);
    await runner.query(`CREATE INDEX audit_log_by_time ON audit_log (at, host_id, seq)`);
    await runner.query(`CREATE INDEX audit_log_by_patch ON audit_log (patch, at) WHERE patch IS NOT NULL`);
    await runner.query(`CREATE INDEX audit_log_by_actor ON audit_log (actor, at)`);
    await runner.query(`CREATE INDEX audit_log_by_command ON audit_log (command_id)`);

    await runner.query(`
      CREATE FUNCTION refuse_log_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege';
      END $$`);
    for (const table of ['audit_log', 'event_log']) {
      await runner.query(`
        CREATE TRIGGER ${table}_append_only BEFORE UPDATE OR DELETE ON ${table}
        FOR EACH ROW EXECUTE FUNCTION refuse_log_change()`);
      await runner.query(`
        CREATE TRIGGER ${table}_no_truncate BEFORE TRUNCATE ON ${table}
        FOR EACH STATEMENT EXECUTE FUNCTION refuse_log_change()`);
    }

    await runner.query(`
      CREATE TABLE projection_offsets (
        topic       text NOT NULL,
        partition   integer NOT NULL,
        next_offset bigint NOT NULL CHECK (next_offset >= 0),
        updated_at  timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (topic, partition)
      )`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE projection_offsets`);
    await runner.query(`DROP TABLE audit_log`);
    await runner.query(`DROP TABLE event_log`);
    await runner.query(`DROP FUNCTION refuse_log_change()`);
    await runner.query(`DROP TABLE command_outcomes`);
    await runner.query(`DROP VIEW patch_state_counts`);
    await runner.query(`DROP VIEW host_func_stacks`);
    await runner.query(`DROP TABLE host_funcs`);
    await runner.query(`DROP TABLE host_objects`);
    await runner.query(`DROP TABLE host_patches`);
    await runner.query(`DROP TABLE hosts`);
  }
}
