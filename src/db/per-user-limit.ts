// Rows a user may hold only so many of (API keys, webhook endpoints): counted and created in
// one transaction that first locks the user's row, so that concurrent creations queue and the
// limit holds. The API answers PerUserLimitError with 409 (src/web/errors.ts).
import type { Prisma } from '../generated/prisma/client.ts';
import type { Database } from './client.ts';

export class PerUserLimitError extends Error {
  override name = 'PerUserLimitError';
}

export function createWithinLimit<T>(
  db: Database,
  userId: number,
  limit: number,
  rows: { count: (tx: Prisma.TransactionClient) => Promise<number>; create: (tx: Prisma.TransactionClient) => Promise<T>; tooMany: string },
): Promise<T> {
  return db.$transaction(async (tx) => {
    await tx.$executeRaw`SELECT 1 FROM users WHERE id = ${userId} FOR UPDATE`;
    if ((await rows.count(tx)) >= limit) throw new PerUserLimitError(rows.tooMany);
    return rows.create(tx);
  });
}
