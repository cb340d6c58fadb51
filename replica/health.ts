// Container state for the harness: who is healthy, and (where no systemd runs podman's
// healthcheck timers) running each container's HEALTHCHECK so that Compose sees it.
import { setTimeout as sleep } from 'node:timers/promises';
import { run } from './commands.ts';
import type { Engine } from './engine.ts';

export interface ContainerState {
  id: string;
  name: string;
  service: string;
  running: boolean;
  exitCode: number;
  /** '' when the container has no healthcheck. */
  health: string;
  /** How often its healthcheck is meant to run, in ms. */
  intervalMs: number;
}

export async function containers(engine: Engine, project: string): Promise<ContainerState[]> {
  const ids = (await run(engine.cli, ['ps', '-aq', '--filter', `label=com.docker.compose.project=${project}`], { env: engine.env })).stdout.split('\n').filter(Boolean);
  if (ids.length === 0) return [];
  const { stdout } = await run(engine.cli, ['inspect', '--type', 'container', ...ids], { env: engine.env });
  const inspected = JSON.parse(stdout) as Array<{
    Id: string;
    Name: string;
    Config: { Labels: Record<string, string>; Healthcheck?: { Interval?: number } };
    State: { Running: boolean; ExitCode: number; Health?: { Status: string }; Healthcheck?: { Status: string } };
  }>;
  return inspected.map((c) => ({
    id: c.Id,
    name: c.Name.replace(/^\//, ''),
    service: c.Config.Labels['com.docker.compose.service'] ?? '',
    running: c.State.Running,
    exitCode: c.State.ExitCode,
    health: (c.State.Health ?? c.State.Healthcheck)?.Status ?? '',
    intervalMs: (c.Config.Healthcheck?.Interval ?? 30e9) / 1e6, // Docker's default: 30 s
  }));
}

/** Runs each running container's healthcheck at its own interval, as systemd's timers would, until stop() is called. */
export function runHealthchecks(engine: Engine, project: string): () => Promise<void> {
  let stopped = false;
  const due = new Map<string, number>();
  const loop = (async () => {
    while (!stopped) {
      const now = Date.now();
      const running = (await containers(engine, project).catch(() => [])).filter((c) => c.running && c.health && (due.get(c.id) ?? 0) <= now);
      for (const c of running) due.set(c.id, now + c.intervalMs);
      await Promise.all(running.map((c) => run(engine.cli, ['healthcheck', 'run', c.id], { env: engine.env, allowFailure: true }).catch(() => undefined)));
      await sleep(1000);
    }
  })();
  return async () => {
    stopped = true;
    await loop;
  };
}

/** Waits until `want` containers of each service are running and healthy (or exited 0 for one-shots). */
export async function waitHealthy(engine: Engine, project: string, want: Record<string, number>, oneShots: string[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const all = await containers(engine, project);
    const done = (service: string) => all.filter((c) => c.service === service && !c.running && c.exitCode === 0).length > 0;
    const healthy = (service: string) => all.filter((c) => c.service === service && c.running && (c.health === '' || c.health === 'healthy')).length;
    const failed = all.filter((c) => !c.running && c.exitCode !== 0);
    if (failed.length) throw new Error(`exited with an error: ${failed.map((c) => `${c.name} (${c.exitCode})`).join(', ')}`);
    if (oneShots.every(done) && Object.entries(want).every(([service, count]) => healthy(service) === count)) return;
    if (Date.now() > deadline) {
      throw new Error(`not healthy after ${timeoutMs / 1000} s: ${all.map((c) => `${c.name} ${c.running ? c.health || 'running' : `exited ${c.exitCode}`}`).join(', ')}`);
    }
    await sleep(500);
  }
}
