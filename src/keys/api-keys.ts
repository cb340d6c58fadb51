// API keys for scripts: `cct_` + 32 random bytes, shown once; only the key's sha256 is kept.
// A fast hash is right here, unlike for passwords: the key has 256 bits of entropy, so there
// is nothing to guess and argon2's cost would only slow every request, while sha256 lets each
// request find its key through a unique index. Every request reads the row, so a revoked or
// expired key stops working at once.
import { createHash, randomBytes } from 'node:crypto';
import type { Database } from '../db/client.ts';
import { createWithinLimit } from '../db/per-user-limit.ts';

export const KEY_PREFIX = 'cct_';
const SHOWN_CHARS = 8;
/** last_used_at is written at most this often per key, so that busy scripts do not write on every request. */
const LAST_USED_RESOLUTION_MS = 60_000;

const hashKey = (key: string) => createHash('sha256').update(key).digest('hex');

export const isApiKey = (token: string) => token.startsWith(KEY_PREFIX);

const liveKeys = (userId: number) => ({ userId, OR: [{ expiresAt: null }, { expiresAt: { gt: new Date() } }] });

export const keyListSelect = { id: true, name: true, prefix: true, createdAt: true, lastUsedAt: true, expiresAt: true } as const;

/** A new key and its row; the key itself is returned this once and never stored. */
export async function createApiKey(db: Database, userId: number, name: string, expiresAt: Date | null, limit: number) {
  const key = `${KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
  const row = await createWithinLimit(db, userId, limit, {
    count: (tx) => tx.apiKey.count({ where: liveKeys(userId) }),
    create: (tx) => tx.apiKey.create({ data: { userId, name, expiresAt, prefix: key.slice(0, KEY_PREFIX.length + SHOWN_CHARS), hash: hashKey(key) }, select: keyListSelect }),
    tooMany: `You already have ${limit} live API keys, the most allowed; revoke one (DELETE /api/keys/:id) first`,
  });
  return { key, row };
}

export const listApiKeys = (db: Database, userId: number) => db.apiKey.findMany({ where: { userId }, select: keyListSelect, orderBy: { id: 'asc' } });

/** Revokes at once: the row goes, so the next request with the key finds nothing. */
export async function revokeApiKey(db: Database, userId: number, id: number): Promise<boolean> {
  const { count } = await db.apiKey.deleteMany({ where: { id, userId } });
  return count > 0;
}

/** The owner of a live key, or why it is refused. */
export async function authenticateApiKey(db: Database, key: string): Promise<{ userId: number } | { problem: string }> {
  const row = await db.apiKey.findUnique({ where: { hash: hashKey(key) }, select: { id: true, userId: true, expiresAt: true, lastUsedAt: true } });
  if (!row) return { problem: 'The API key is not valid or was revoked; create one with POST /api/keys' };
  const now = new Date();
  if (row.expiresAt && row.expiresAt <= now) return { problem: `The API key expired at ${row.expiresAt.toISOString()}; create a new one with POST /api/keys` };
  if (!row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() > LAST_USED_RESOLUTION_MS) {
    await db.apiKey.updateMany({ where: { id: row.id }, data: { lastUsedAt: now } });
  }
  return { userId: row.userId };
}
