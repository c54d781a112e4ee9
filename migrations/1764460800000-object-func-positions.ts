import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Objects and functions keep their registration order, like patches keep theirs in
 * `host_patches.position`: the host view lists a patch's objects and an object's functions in the
 * order `RegisterPatch` gave them, and a reader can rebuild that order only if the rows carry it
 * (ADR 0004). Existing rows get 0; the projector always writes the real position.
 */
export class ObjectFuncPositions1764460800000 implements MigrationInterface {
  name = 'ObjectFuncPositions1764460800000';

  async up(runner: QueryRunner): Promise<void> {
    for (const table of ['host_objects', 'host_funcs']) {
      await runner.query(`ALTER TABLE ${table} ADD COLUMN position integer NOT NULL DEFAULT 0`);
      await runner.query(`ALTER TABLE ${table} ALTER COLUMN position DROP DEFAULT`);
    }
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE host_funcs DROP COLUMN position`);
    await runner.query(`ALTER TABLE host_objects DROP COLUMN position`);
  }
}
