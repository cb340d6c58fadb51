// terraform/ as data for the policy checks: every .tf file parsed with @cdktf/hcl2json
// (blocks become arrays, expressions stay "${…}" strings), and the boot script rendered
// by terraform's own templatefile.
import { parse } from '@cdktf/hcl2json';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const TERRAFORM_DIR = new URL('../../terraform/', import.meta.url).pathname;

export type Block = Record<string, unknown>;
export type Named = Record<string, Block[]>;

/** One module's blocks merged over its files. */
export interface Module {
  dir: string; // relative to terraform/, '.' for the root module
  files: string[];
  variable: Named;
  output: Named;
  module: Named;
  locals: Block[];
  terraform: Block[];
  resource: Record<string, Named>;
  data: Record<string, Named>;
  ephemeral: Record<string, Named>;
}
export type Modules = Map<string, Module>;

async function loadModule(dir: string): Promise<Module> {
  const files = readdirSync(join(TERRAFORM_DIR, dir)).filter((f) => f.endsWith('.tf')).sort();
  const mod: Module = { dir, files, variable: {}, output: {}, module: {}, locals: [], terraform: [], resource: {}, data: {}, ephemeral: {} };
  for (const file of files) {
    const json = await parse(file, readFileSync(join(TERRAFORM_DIR, dir, file), 'utf8'));
    for (const kind of ['variable', 'output', 'module'] as const) {
      for (const [name, list] of Object.entries((json[kind] ?? {}) as Named)) (mod[kind][name] ??= []).push(...list);
    }
    for (const kind of ['resource', 'data', 'ephemeral'] as const) {
      for (const [type, named] of Object.entries((json[kind] ?? {}) as Record<string, Named>)) {
        for (const [name, list] of Object.entries(named)) ((mod[kind][type] ??= {})[name] ??= []).push(...list);
      }
    }
    mod.locals.push(...((json.locals ?? []) as Block[]));
    mod.terraform.push(...((json.terraform ?? []) as Block[]));
  }
  return mod;
}

/** The root module ('.') and every module under modules/ ('modules/<name>'). */
export async function loadAll(): Promise<Modules> {
  const dirs = ['.', ...readdirSync(join(TERRAFORM_DIR, 'modules')).sort().map((m) => `modules/${m}`)];
  return new Map(await Promise.all(dirs.map(async (dir) => [dir, await loadModule(dir)] as const)));
}

/** Every string value anywhere below `value`. */
export function* strings(value: unknown): Generator<string> {
  if (typeof value === 'string') yield value;
  else if (Array.isArray(value)) for (const item of value) yield* strings(item);
  else if (value && typeof value === 'object') for (const item of Object.values(value)) yield* strings(item);
}

/** Every array stored under `key` anywhere below `value` (nested and dynamic blocks included). */
export function* arraysUnder(value: unknown, key: string): Generator<unknown[]> {
  if (Array.isArray(value)) for (const item of value) yield* arraysUnder(item, key);
  else if (value && typeof value === 'object') {
    for (const [k, item] of Object.entries(value)) {
      if (k === key && Array.isArray(item)) yield item;
      yield* arraysUnder(item, k === key ? '' : key);
    }
  }
}

export function resources(mod: Module, type: string): Array<[string, Block]> {
  return Object.entries(mod.resource[type] ?? {}).flatMap(([name, list]) => list.map((b) => [name, b] as [string, Block]));
}

export const first = (value: unknown): Block => (Array.isArray(value) && value[0] && typeof value[0] === 'object' ? (value[0] as Block) : {});

/** A list attribute that may also be written as one expression ("${var.arns}"). */
export const list = (value: unknown): string[] => (value === undefined ? [] : (Array.isArray(value) ? value : [value]).map(String));

/** The statements of a policy document (resource type aws_iam_policy_document). */
export function statements(mod: Module, document: string): Block[] {
  return (mod.data.aws_iam_policy_document?.[document] ?? []).flatMap((doc) => (doc.statement ?? []) as Block[]);
}

export const TERRAFORM = spawnSync('sh', ['-c', 'command -v terraform'], { encoding: 'utf8' }).stdout.trim();

/** The value of an expression, by `terraform console` in an empty folder (no providers needed). */
function evaluate(expression: string): string {
  const result = spawnSync(TERRAFORM, ['console'], {
    cwd: mkdtempSync(join(tmpdir(), 'cct-terraform-')),
    input: `base64encode(${expression})\n`,
    encoding: 'utf8',
  });
  const line = result.stdout.trim().split('\n')[0] ?? '';
  if (result.status !== 0 || !/^"[A-Za-z0-9+/=]*"$/.test(line)) throw new Error(`terraform console failed: ${result.stderr}${result.stdout}`);
  return Buffer.from(line.slice(1, -1), 'base64').toString('utf8');
}

/** templates/user_data.sh.tftpl rendered for one tier with plausible values. */
export function renderUserData(tier: 'web' | 'worker'): string {
  const vars = {
    tier,
    region: 'us-east-1',
    image: `123456789012.dkr.ecr.us-east-1.amazonaws.com/cct-prod-${tier}:2024-06-01-abc1234`,
    log_group: `/cct-prod/${tier}`,
    environment: { AWS_REGION: 'us-east-1', DATABASE_PASSWORD_FILE: '/run/cct/database/password', WORKER_PORT: '9100' },
    jwt_secret_arn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:cct-prod-jwt-secret-1',
    database_password_secret_arn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:cct-prod-database-password-1',
    database_password_dir: '/run/cct/database',
    database_app_user: 'cct_app_login',
    master_secret_arn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:rds!db-1',
    database_address: 'cct-prod.abc.us-east-1.rds.amazonaws.com',
    database_port: 5432,
    database_name: 'conversions',
    autoscaling_group: `cct-prod-${tier}`,
    drain_hook: 'drain-before-terminate',
    health_port: 9100,
    health_grace_seconds: 300,
    stop_timeout_seconds: tier === 'worker' ? 930 : 30,
  };
  return evaluate(`templatefile(${JSON.stringify(join(TERRAFORM_DIR, 'templates/user_data.sh.tftpl'))}, jsondecode(${JSON.stringify(JSON.stringify(vars))}))`);
}
