// Worker test fixtures: the real worker dependencies and queues of a test's own.
import { randomBytes } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { pino } from 'pino';
import type { Test } from 'tap';
import { createResources, type Resources } from '../../src/dev/services.ts';
import type { Config } from '../../src/config.ts';
import { closeWorkerDeps, createWorkerDeps, type WorkerDeps } from '../../src/worker/deps.ts';
import { testConfig } from './env.ts';

export async function workerDeps(t: Test, overrides: Partial<Record<keyof Config, string>> = {}): Promise<WorkerDeps> {
  const tempRoot = await mkdtemp(join(tmpdir(), 'cct-worker-test-'));
  const deps = createWorkerDeps(testConfig(overrides), { tempRoot, log: pino({ level: 'silent' }) });
  t.teardown(() => closeWorkerDeps(deps));
  return deps;
}

/** A queue and dead-letter queue of the test's own, so no other test's messages are read. */
export function testQueues(maxReceiveCount = 5): Promise<Resources> {
  const config = testConfig();
  return createResources(config.AWS_ENDPOINT_URL!, config.AWS_REGION, `t-${randomBytes(4).toString('hex')}`, maxReceiveCount);
}

export async function waitFor<T>(what: string, probe: () => Promise<T | undefined | null | false>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value) return value;
    await sleep(50);
  }
  throw new Error(`timed out waiting for ${what}`);
}
