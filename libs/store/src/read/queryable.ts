/** What the readers need of a connection: a pg Pool, a PoolClient or TypeORM's `query` all fit. */
export interface Queryable {
  query<Row = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<{ rows: Row[] }>;
}
