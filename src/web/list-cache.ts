// The task list's pages as PostgreSQL last built them, kept per web process and keyed by the
// user's list version (bumped by a trigger in the same transaction as every change to their
// tasks, migration task_changes). A page is reused only while the version it was built at is
// current, so a repeated list costs one primary-key read instead of ~40 KB of JSON built again.
import { LRUCache } from 'lru-cache';
import type { Page } from '../tasks/queries.ts';

export interface CachedPage {
  body: Buffer;
  /** The id the next page starts after; null on the last page. */
  next: number | null;
}

/** Bounded in bytes: a few thousand pages of 100 tasks at most. */
export function createListCache(maxBytes = 16 * 1024 ** 2) {
  const pages = new LRUCache<string, CachedPage>({ maxSize: maxBytes, sizeCalculation: (page) => page.body.length + 100 });
  const key = (userId: number, version: bigint, page: Page) => `${userId}:${version}:${page.max}:${page.descending ? 'd' : 'a'}:${page.after ?? ''}`;
  return {
    get: (userId: number, version: bigint, page: Page) => pages.get(key(userId, version, page)),
    set: (userId: number, version: bigint, page: Page, cached: CachedPage) => void pages.set(key(userId, version, page), cached),
  };
}
