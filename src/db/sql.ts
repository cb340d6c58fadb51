// Raw SQL for the hot paths where Prisma's own cost per query was most of a request's
// (docs/benchmarks.md): named statements on Prisma's pool, prepared once per connection.
// Rows come back in Prisma's shapes (camelCase, BigInt, Date) so that callers cannot tell.
import pg from 'pg';
import type { Database } from './client.ts';

const INT8 = 20;
const TIMESTAMP = 1114;

/** Prisma keeps `timestamp(3)` columns in UTC and int8 as BigInt; pg's defaults would read local time and strings. */
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
    if (oid === INT8) return (value: string) => BigInt(value);
    if (oid === TIMESTAMP) return (value: string) => new Date(`${value.replace(' ', 'T')}Z`);
    return pg.types.getTypeParser(oid, format);
  }) as typeof pg.types.getTypeParser,
};

/** Parameters for `timestamp` columns: UTC wall time, as Prisma writes them. */
export const utc = (date: Date) => date.toISOString().slice(0, -1);

export async function query<Row>(db: Database, name: string, text: string, values: unknown[]): Promise<Row[]> {
  return (await db.pool.query<Row & pg.QueryResultRow>({ name, text, values, types })).rows;
}
