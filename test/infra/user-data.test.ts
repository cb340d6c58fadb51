// The boot script as an instance runs it: rendered by terraform's templatefile for each
// tier, then the script and every script it writes checked by shellcheck.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { renderUserData, TERRAFORM } from '../helpers/terraform.ts';

const SHELLCHECK = spawnSync('sh', ['-c', 'command -v shellcheck'], { encoding: 'utf8' }).stdout.trim();
const skip = !TERRAFORM ? 'terraform is not installed' : !SHELLCHECK ? 'shellcheck is not installed' : false;

/** The scripts the boot script writes with `cat > PATH <<'EOF'`, by path. */
function writtenFiles(script: string): Map<string, string> {
  return new Map([...script.matchAll(/^cat > (\S+) <<'EOF'\n([\s\S]*?)^EOF$/gm)].map((m) => [m[1]!, m[2]!]));
}

function shellcheck(name: string, script: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'cct-user-data-')), name);
  writeFileSync(file, script);
  const result = spawnSync(SHELLCHECK, ['--shell=bash', '--severity=style', file], { encoding: 'utf8' });
  return result.status === 0 ? '' : `${name}:\n${result.stdout}${result.stderr}`;
}

const SCRIPTS = {
  web: ['cct-imds', 'cct-unhealthy', 'cct-run', 'cct-config'],
  worker: ['cct-imds', 'cct-unhealthy', 'cct-run', 'cct-config', 'cct-health', 'cct-drain'],
};

for (const tier of ['web', 'worker'] as const) {
  t.test(`the ${tier} boot script and the scripts it writes pass shellcheck`, { skip }, async (t) => {
    const script = renderUserData(tier);
    const scripts = [...writtenFiles(script)].filter(([, body]) => body.startsWith('#!/bin/bash'));
    t.same(scripts.map(([path]) => path), SCRIPTS[tier].map((name) => `/usr/local/sbin/${name}`));
    const problems = [shellcheck('user_data.sh', script), ...scripts.map(([path, body]) => shellcheck(path.split('/').pop()!, body))];
    t.same(problems.filter(Boolean), []);
  });
}

t.test('shellcheck notices a broken script (the check can fail)', { skip }, async (t) => {
  t.match(shellcheck('broken.sh', '#!/bin/bash\nrm -rf $1/data\n'), /SC2086/);
});

t.test('a worker waits for its /health and marks itself unhealthy; the web tier leaves that to the load balancer', { skip }, async (t) => {
  const worker = writtenFiles(renderUserData('worker'));
  const health = worker.get('/usr/local/sbin/cct-health') ?? '';
  t.match(health, /curl -fsS -m 5 -o \/dev\/null 'http:\/\/127\.0\.0\.1:9100\/health'/);
  t.match(health, /deadline=\$\(\(SECONDS \+ 300\)\)/, 'gives up after the grace period');
  t.match(health, /exec \/usr\/local\/sbin\/cct-unhealthy/);
  t.match(worker.get('/usr/local/sbin/cct-unhealthy'), /aws autoscaling set-instance-health .*\n.*--health-status Unhealthy --no-should-respect-grace-period/);
  t.match(renderUserData('worker'), /systemctl enable --now .*cct-health\.service/);
  t.notOk(writtenFiles(renderUserData('web')).has('/usr/local/sbin/cct-health'));
});

t.test('a new database password reaches the app without a restart; a new JWT secret restarts it', { skip }, async (t) => {
  for (const tier of ['web', 'worker'] as const) {
    const files = writtenFiles(renderUserData(tier));
    t.match(files.get('/usr/local/sbin/cct-run'), /--volume '\/etc\/cct\/database:\/run\/cct\/database:ro'/, `${tier}: the folder is mounted, so a replaced file shows`);
    const config = files.get('/usr/local/sbin/cct-config') ?? '';
    t.match(config, /replace \/etc\/cct\/database\/password 640 root:1000 \|\| true\n/, `${tier}: the password file is replaced and nothing restarts`);
    t.match(config, /replace \/etc\/cct\/app\.env 600 root:root; then\n.*\n\s+if systemctl is-active --quiet cct-app; then systemctl restart cct-app; fi/);
  }
  const web = writtenFiles(renderUserData('web')).get('/usr/local/sbin/cct-config') ?? '';
  t.match(web, /find \/etc\/cct\/database\/password -mmin \+2[\s\S]*cct-run \/etc\/cct\/migrate\.env login node dist\/db\/migrate-cli\.js/, 'web instances set the role\'s password two minutes later');
  t.match(web, /APP_DATABASE_USER=%s\\nAPP_DATABASE_PASSWORD_FILE=%s/);
});
