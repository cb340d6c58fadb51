// Static checks of terraform/ (there is no terraform binary or cloud access in CI):
// every .tf file is parsed with @cdktf/hcl2json, then each check below returns its
// findings as readable strings. The last test feeds every check a broken copy of the
// real configuration, so a check that stopped noticing anything fails too.
import { getExpressionAst, parse, wrapTerraformExpression } from '@cdktf/hcl2json';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import t from 'tap';

const TERRAFORM_DIR = new URL('../../terraform/', import.meta.url).pathname;
const REQUIRED_FILES = ['main.tf', 'variables.tf', 'outputs.tf', 'versions.tf'];
const MODULE_META_ARGUMENTS = new Set(['source', 'version', 'providers', 'count', 'for_each', 'depends_on']);
/** Actions that IAM cannot scope to a resource, so `Resource: "*"` is their only form. */
const UNSCOPED_ACTIONS = new Set([
  'ecr:GetAuthorizationToken',
  'ssmmessages:CreateControlChannel',
  'ssmmessages:CreateDataChannel',
  'ssmmessages:OpenControlChannel',
  'ssmmessages:OpenDataChannel',
]);

type Block = Record<string, unknown>;
type Named = Record<string, Block[]>;

/** One module's blocks merged over its files (hcl2json gives every block as an array). */
interface Module {
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
type Modules = Map<string, Module>;

async function loadModule(dir: string): Promise<Module> {
  const files = (await readdir(join(TERRAFORM_DIR, dir))).filter((f) => f.endsWith('.tf')).sort();
  const mod: Module = { dir, files, variable: {}, output: {}, module: {}, locals: [], terraform: [], resource: {}, data: {}, ephemeral: {} };
  for (const file of files) {
    const json = await parse(file, await readFile(join(TERRAFORM_DIR, dir, file), 'utf8'));
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

async function loadAll(): Promise<Modules> {
  const dirs = ['.', ...(await readdir(join(TERRAFORM_DIR, 'modules'))).sort().map((m) => `modules/${m}`)];
  return new Map(await Promise.all(dirs.map(async (dir) => [dir, await loadModule(dir)] as const)));
}

/** Every string value anywhere below `value` (HCL expressions stay strings like "${var.x}"). */
function* strings(value: unknown): Generator<string> {
  if (typeof value === 'string') yield value;
  else if (Array.isArray(value)) for (const item of value) yield* strings(item);
  else if (value && typeof value === 'object') for (const item of Object.values(value)) yield* strings(item);
}

/** Every array stored under `key` anywhere below `value` (nested and dynamic blocks included). */
function* arraysUnder(value: unknown, key: string): Generator<unknown[]> {
  if (Array.isArray(value)) for (const item of value) yield* arraysUnder(item, key);
  else if (value && typeof value === 'object') {
    for (const [k, item] of Object.entries(value)) {
      if (k === key && Array.isArray(item)) yield item;
      yield* arraysUnder(item, k === key ? '' : key);
    }
  }
}

function resources(mod: Module, type: string): Array<[string, Block]> {
  return Object.entries(mod.resource[type] ?? {}).flatMap(([name, list]) => list.map((b) => [name, b] as [string, Block]));
}

const first = (value: unknown): Block => (Array.isArray(value) && value[0] && typeof value[0] === 'object' ? (value[0] as Block) : {});
const childDir = (mod: Module, call: Block) => relative(TERRAFORM_DIR, resolve(TERRAFORM_DIR, mod.dir, String(call.source)));

// --- checks: each returns what is wrong, [] when all is well ---------------------

function missingFiles(mod: Module): string[] {
  return REQUIRED_FILES.filter((f) => !mod.files.includes(f)).map((f) => `${mod.dir}: no ${f}`);
}

/** Terraform and the providers the module uses are pinned (in versions.tf). */
function unpinnedVersions(mod: Module): string[] {
  const settings = mod.terraform[0] ?? {};
  const providers = first(settings.required_providers);
  const used = new Set(
    [...Object.keys(mod.resource), ...Object.keys(mod.data), ...Object.keys(mod.ephemeral)].map((type) => type.split('_')[0] ?? ''),
  );
  if (mod.dir === '.') used.add('aws');
  return [
    ...(typeof settings.required_version === 'string' ? [] : [`${mod.dir}: required_version is not set`]),
    ...[...used].flatMap((name) => {
      const pin = providers[name] as { source?: string; version?: string } | undefined;
      return pin?.source === `hashicorp/${name}` && pin.version ? [] : [`${mod.dir}: provider ${name} is not pinned in required_providers`];
    }),
  ];
}

function undocumented(mod: Module): string[] {
  const described = (block: Block | undefined) => typeof block?.description === 'string' && block.description.trim() !== '';
  return [
    ...Object.entries(mod.variable).flatMap(([name, [v]]) => [
      ...(described(v) ? [] : [`${mod.dir}: variable ${name} has no description`]),
      ...(v?.type === undefined ? [`${mod.dir}: variable ${name} has no type`] : []),
    ]),
    ...Object.entries(mod.output).flatMap(([name, [o]]) => (described(o) ? [] : [`${mod.dir}: output ${name} has no description`])),
  ];
}

interface AstNode {
  type: string;
  meta?: { traversal?: Array<{ segment: string }>; keyVar?: string; valVar?: string };
  children?: AstNode[];
}

/**
 * The references (var.x, module.web.url, aws_lb.this.arn, …) in one expression. hcl2json's own
 * getReferencesInExpression skips the key and value of `for` expressions, so this walks the AST.
 */
async function referencesInExpression(expression: string): Promise<string[]> {
  const quoted = expression.startsWith('"') ? expression : `"${expression}"`;
  const ast = (await getExpressionAst('main.tf', wrapTerraformExpression(quoted).wrap)) as AstNode | null;
  const found: string[] = [];
  const walk = (node: AstNode | undefined, forVariables: string[]) => {
    if (!node) return;
    if (node.type === 'scopeTraversal') {
      const segments = (node.meta?.traversal ?? []).map((part) => part.segment);
      if (!forVariables.includes(segments[0] ?? '')) found.push(segments.join('.'));
      return;
    }
    const inner = node.type === 'for' ? [...forVariables, node.meta?.keyVar ?? '', node.meta?.valVar ?? ''] : forVariables;
    for (const child of node.children ?? []) walk(child, inner);
  };
  walk(ast ?? undefined, []);
  return found;
}

/** Every reference in the module's expressions. */
async function referencesIn(mod: Module): Promise<string[]> {
  const expressions = [...strings([mod.variable, mod.output, mod.module, mod.locals, mod.resource, mod.data, mod.ephemeral])];
  const found = new Set<string>();
  for (const expression of expressions.filter((s) => s.includes('${'))) {
    for (const reference of await referencesInExpression(expression)) found.add(reference);
  }
  return [...found];
}

async function unresolvedReferences(mod: Module, all: Modules): Promise<string[]> {
  const locals = new Set(mod.locals.flatMap((l) => Object.keys(l)));
  return (await referencesIn(mod)).flatMap((value) => {
    const [scope = '', name = '', ...rest] = value.split('.');
    const attribute = rest.find((part) => !/^\d+$/.test(part));
    const ok =
      scope === 'var' ? name in mod.variable
      : scope === 'local' ? locals.has(name)
      : scope === 'module' ? name in mod.module && (attribute === undefined || moduleHasOutput(mod, name, attribute, all))
      : scope === 'data' || scope === 'ephemeral' ? Boolean(mod[scope][name]?.[rest[0] ?? ''])
      : /^(aws|random)_/.test(scope) ? Boolean(mod.resource[scope]?.[name])
      : true; // each, count, path, dynamic block iterators
    return ok ? [] : [`${mod.dir}: ${value} is not declared`];
  });
}

/** What tflint's terraform_unused_declarations would report: variables, locals and data sources nobody reads. */
async function unusedDeclarations(mod: Module): Promise<string[]> {
  const used = new Set((await referencesIn(mod)).map((value) => value.split('.').slice(0, 3).join('.')));
  const declared = [
    ...Object.keys(mod.variable).map((name) => `var.${name}`),
    ...mod.locals.flatMap((l) => Object.keys(l)).map((name) => `local.${name}`),
    ...Object.entries(mod.data).flatMap(([type, named]) => Object.keys(named).map((name) => `data.${type}.${name}`)),
  ];
  return declared
    .filter((d) => ![...used].some((u) => u === d || u.startsWith(`${d}.`)))
    .map((d) => `${mod.dir}: ${d} is never used`);
}

function moduleHasOutput(mod: Module, name: string, output: string, all: Modules): boolean {
  const call = mod.module[name]?.[0];
  return Boolean(call && all.get(childDir(mod, call))?.output[output]);
}

function badModuleCalls(mod: Module, all: Modules): string[] {
  return Object.entries(mod.module).flatMap(([name, [call = {}]]) => {
    const child = all.get(childDir(mod, call));
    if (!child) return [`${mod.dir}: module ${name} has no module at ${String(call.source)}`];
    const passed = Object.keys(call).filter((k) => !MODULE_META_ARGUMENTS.has(k));
    const required = Object.entries(child.variable).filter(([, [v]]) => v && !('default' in v)).map(([k]) => k);
    return [
      ...passed
        .filter((k) => !(k in child.variable))
        .map((k) => `${mod.dir}: module ${name} passes ${k}, which ${child.dir} does not declare`),
      ...required.filter((k) => !passed.includes(k)).map((k) => `${mod.dir}: module ${name} does not pass required ${k}`),
    ];
  });
}

function unsafeDatabases(mod: Module): string[] {
  return resources(mod, 'aws_db_instance').flatMap(([name, db]) => {
    const where = `${mod.dir}: aws_db_instance.${name}`;
    return [
      ...(db.publicly_accessible === false ? [] : [`${where} must set publicly_accessible = false`]),
      ...(db.storage_encrypted === true ? [] : [`${where} must set storage_encrypted = true`]),
      ...(db.manage_master_user_password === true ? [] : [`${where} must let RDS manage the password (manage_master_user_password = true)`]),
      ...(db.backup_retention_period === undefined || db.backup_retention_period === 0 ? [`${where} must keep backups`] : []),
    ];
  });
}

function unsafeBuckets(mod: Module): string[] {
  const about = (type: string, bucket: string) =>
    resources(mod, type).filter(([, b]) => new RegExp(`^\\$\\{aws_s3_bucket\\.${bucket}\\.(id|bucket)\\}$`).test(String(b.bucket)));
  return resources(mod, 'aws_s3_bucket').flatMap(([name]) => {
    const where = `${mod.dir}: aws_s3_bucket.${name}`;
    const blocks = about('aws_s3_bucket_public_access_block', name);
    const flags = ['block_public_acls', 'block_public_policy', 'ignore_public_acls', 'restrict_public_buckets'];
    const blocked = blocks.some(([, b]) => flags.every((f) => b[f] === true));
    const encrypted = about('aws_s3_bucket_server_side_encryption_configuration', name).some(([, b]) =>
      ['AES256', 'aws:kms', 'aws:kms:dsse'].includes(String(first(first(b.rule).apply_server_side_encryption_by_default).sse_algorithm)),
    );
    return [
      ...(blocked ? [] : [`${where} needs a public access block with all four settings true`]),
      ...(encrypted ? [] : [`${where} needs a server-side encryption configuration`]),
    ];
  });
}

function unsafeQueues(mod: Module): string[] {
  const queues = resources(mod, 'aws_sqs_queue');
  const deadLetterTargets = queues.flatMap(([, q]) =>
    [...String(q.redrive_policy ?? '').matchAll(/aws_sqs_queue\.(\w+)\.arn/g)].map((m) => m[1]),
  );
  return queues.flatMap(([name, q]) => [
    ...(q.sqs_managed_sse_enabled === true || (typeof q.kms_master_key_id === 'string' && q.kms_master_key_id)
      ? []
      : [`${mod.dir}: aws_sqs_queue.${name} is not encrypted`]),
    ...(q.redrive_policy || deadLetterTargets.includes(name) ? [] : [`${mod.dir}: aws_sqs_queue.${name} has no dead-letter queue`]),
  ]);
}

function wildcardPermissions(mod: Module): string[] {
  const problems: string[] = [];
  for (const [name, list] of Object.entries(mod.data.aws_iam_policy_document ?? {})) {
    const where = `${mod.dir}: data.aws_iam_policy_document.${name}`;
    if ([...arraysUnder(list, 'not_actions')].length > 0) problems.push(`${where} uses not_actions (an implicit wildcard)`);
    for (const statement of [...arraysUnder(list, 'statement'), ...arraysUnder(list, 'content')].flat() as Block[]) {
      const actions = (Array.isArray(statement.actions) ? statement.actions : []) as unknown[];
      for (const action of actions) {
        if (typeof action !== 'string' || !/^[a-z0-9-]+:[A-Za-z0-9]+$/.test(action)) {
          problems.push(`${where} has action ${String(action)}: name each action, no wildcards or expressions`);
        }
      }
      const resourcesList = (Array.isArray(statement.resources) ? statement.resources : []) as unknown[];
      const allowed = statement.effect !== 'Deny';
      if (allowed && resourcesList.includes('*')) {
        for (const action of actions) if (!UNSCOPED_ACTIONS.has(String(action))) problems.push(`${where} grants ${String(action)} on "*"`);
      }
    }
  }
  // Policies written as JSON (jsonencode or heredoc) or attached from AWS would escape the checks above.
  if ([...strings([mod.resource, mod.data, mod.locals])].some((s) => /\b(Not)?Action"?\s*[:=]/.test(s))) {
    problems.push(`${mod.dir}: an IAM policy is written as JSON; use aws_iam_policy_document`);
  }
  for (const type of ['aws_iam_role_policy_attachment', 'aws_iam_policy_attachment']) {
    for (const [name] of resources(mod, type)) problems.push(`${mod.dir}: ${type}.${name} attaches a policy these checks cannot see`);
  }
  return problems;
}

interface Ingress {
  where: string;
  target: string; // the security group the rule opens, as an expression
  cidrs: unknown[];
  source: unknown; // security group the traffic must come from
}

function ingressRules(mod: Module): Ingress[] {
  const list = (...values: unknown[]) => values.flat().filter((v) => v !== undefined && v !== null);
  return [
    ...resources(mod, 'aws_vpc_security_group_ingress_rule').map(([name, r]) => ({
      where: `aws_vpc_security_group_ingress_rule.${name}`,
      target: String(r.security_group_id),
      cidrs: list(r.cidr_ipv4, r.cidr_ipv6, r.prefix_list_id),
      source: r.referenced_security_group_id,
    })),
    ...resources(mod, 'aws_security_group_rule')
      .filter(([, r]) => r.type === 'ingress')
      .map(([name, r]) => ({
        where: `aws_security_group_rule.${name}`,
        target: String(r.security_group_id),
        cidrs: list(r.cidr_blocks, r.ipv6_cidr_blocks, r.prefix_list_ids),
        source: r.source_security_group_id,
      })),
    ...resources(mod, 'aws_security_group').flatMap(([name, sg]) =>
      ((sg.ingress ?? []) as Block[]).map((r) => ({
        where: `aws_security_group.${name} (inline ingress)`,
        target: `\${aws_security_group.${name}.id}`,
        cidrs: list(r.cidr_blocks, r.ipv6_cidr_blocks, r.prefix_list_ids),
        source: r.security_groups,
      })),
    ),
  ];
}

/**
 * Only a load balancer's security group may be open to address blocks. In a module that
 * runs instances, every other rule must admit traffic from that load balancer only (so a
 * module with instances and no load balancer, the worker, admits nothing); elsewhere
 * (the database) a rule must name a source security group.
 */
function openIngress(mod: Module): string[] {
  const lbGroups = resources(mod, 'aws_lb').flatMap(([, lb]) => [...strings(lb.security_groups)]);
  const runsInstances =
    resources(mod, 'aws_launch_template').length > 0 ||
    Object.values(mod.module).some(([call]) => String(call?.source).includes('instance_group'));
  const rules = ingressRules(mod);
  const problems = rules.flatMap(({ where, target, cidrs, source }) => {
    const onLoadBalancer = lbGroups.includes(target);
    if (cidrs.length > 0 && !onLoadBalancer) return [`${mod.dir}: ${where} opens ${target} to ${cidrs.join(', ')}`];
    if (onLoadBalancer) return [];
    if (runsInstances && !lbGroups.includes(String(source))) {
      return [`${mod.dir}: ${where} admits ${String(source)} to instances, not the load balancer`];
    }
    return source === undefined ? [`${mod.dir}: ${where} names no source security group`] : [];
  });
  if (lbGroups.length > 0 && !rules.some((r) => !lbGroups.includes(r.target) && lbGroups.includes(String(r.source)))) {
    problems.push(`${mod.dir}: no rule lets the load balancer reach the instances`);
  }
  return problems;
}

/** The web tier tracks load and is health-checked on /health; the worker tier tracks backlog per instance and drains. */
function scalingProblems(web: Module, worker: Module): string[] {
  const text = (mod: Module, type: string) => [...strings(resources(mod, type).map(([, r]) => r))].join(' ');
  const healthPath = first(resources(web, 'aws_lb_target_group')[0]?.[1].health_check).path;
  const healthDefault = first(web.variable.health_check_path).default;
  const onHealth = healthPath === '/health' || (healthPath === '${var.health_check_path}' && healthDefault === '/health');
  const hooks = resources(worker, 'aws_autoscaling_lifecycle_hook').map(([, h]) => h.lifecycle_transition);
  const backlogMetrics = ['ApproximateNumberOfMessagesVisible', 'GroupInServiceInstances', 'TargetTrackingScaling'];
  const mathExpression = resources(worker, 'aws_autoscaling_policy').some(([, policy]) =>
    [...arraysUnder(policy, 'metrics')].flat().some((metric) => typeof (metric as Block).expression === 'string'),
  );
  return [
    ...(/ALBRequestCountPerTarget|ASGAverageCPUUtilization/.test(text(web, 'aws_autoscaling_policy')) ? [] : ['web: no target tracking on requests or CPU']),
    ...(onHealth ? [] : ['web: target group not checked on /health']),
    ...(hooks.includes('autoscaling:EC2_INSTANCE_TERMINATING') ? [] : ['worker: no termination lifecycle hook']),
    ...(backlogMetrics.every((word) => text(worker, 'aws_autoscaling_policy').includes(word)) && mathExpression
      ? []
      : ['worker: no target tracking on backlog per instance (metric math)']),
  ];
}

function misnamedSingletons(mod: Module): string[] {
  return Object.entries(mod.resource).flatMap(([type, named]) => {
    const names = Object.keys(named);
    return names.length === 1 && names[0] !== 'this' ? [`${mod.dir}: ${type}.${names[0]} is the only ${type}: name it this`] : [];
  });
}

// --- the tests ----------------------------------------------------------------------

const all = await loadAll();
const everyModule = <T>(check: (mod: Module) => T[]): T[] => [...all.values()].flatMap(check);

t.test('the root and every module have main.tf, variables.tf, outputs.tf and versions.tf', async (t) => {
  t.ok(all.size >= 10, `found ${[...all.keys()].join(', ')}`);
  t.same(everyModule(missingFiles), []);
});

t.test('Terraform and the providers are pinned in every module', async (t) => {
  t.same(everyModule(unpinnedVersions), []);
});

t.test('every variable has a description and a type, every output a description', async (t) => {
  t.same(everyModule(undocumented), []);
});

t.test('every var., local., module., data. and resource reference resolves', async (t) => {
  const problems = (await Promise.all([...all.values()].map((mod) => unresolvedReferences(mod, all)))).flat();
  t.same(problems, []);
});

t.test('every variable, local and data source is used', async (t) => {
  t.same((await Promise.all([...all.values()].map(unusedDeclarations))).flat(), []);
});

t.test('every module call exists and passes exactly the variables its module declares', async (t) => {
  t.same(everyModule((mod) => badModuleCalls(mod, all)), []);
});

t.test('the database is private, encrypted, backed up, with an RDS-managed password', async (t) => {
  t.equal(everyModule((mod) => resources(mod, 'aws_db_instance')).length, 1);
  t.same(everyModule(unsafeDatabases), []);
});

t.test('buckets block public access and are encrypted', async (t) => {
  t.ok(everyModule((mod) => resources(mod, 'aws_s3_bucket')).length > 0);
  t.same(everyModule(unsafeBuckets), []);
});

t.test('queues are encrypted and have a dead-letter queue', async (t) => {
  t.equal(everyModule((mod) => resources(mod, 'aws_sqs_queue')).length, 2);
  t.same(everyModule(unsafeQueues), []);
});

t.test('IAM policies name every action and scope every resource they can', async (t) => {
  t.ok(everyModule((mod) => Object.keys(mod.data.aws_iam_policy_document ?? {})).length > 0);
  t.same(everyModule(wildcardPermissions), []);
});

t.test('instances admit traffic only from the load balancer; the database only from security groups', async (t) => {
  t.same(everyModule(openIngress), []);
});

t.test('web scales on load behind a /health check; workers scale on backlog per instance and drain', async (t) => {
  const [web, worker] = [all.get('modules/web'), all.get('modules/worker')];
  t.ok(web && worker);
  if (web && worker) t.same(scalingProblems(web, worker), []);
});

t.test('a resource that is the only one of its kind is named this', async (t) => {
  t.same(everyModule(misnamedSingletons), []);
});

t.test('each check reports a broken copy of the configuration', async (t) => {
  /** Expects `check` to find something in a copy of module `dir` that `breakIt` changed. */
  const finds = async (what: string, dir: string, breakIt: (mod: Module) => void, check: (mod: Module) => string[] | Promise<string[]>) => {
    const mod = structuredClone(all.get(dir));
    if (!mod) throw new Error(`no module ${dir}`);
    breakIt(mod);
    const problems = await check(mod);
    t.ok(problems.length > 0, `${what}: ${problems.join('; ') || 'not noticed'}`);
  };
  const one = (named: Named | undefined, name: string): Block => {
    const block = named?.[name]?.[0];
    if (!block) throw new Error(`no block ${name}`);
    return block;
  };
  const resource = (mod: Module, type: string, name = 'this') => one(mod.resource[type], name);
  const references = (mod: Module) => unresolvedReferences(mod, all);
  const calls = (mod: Module) => badModuleCalls(mod, all);

  await finds('missing outputs.tf', 'modules/queue', (m) => void m.files.splice(m.files.indexOf('outputs.tf'), 1), missingFiles);
  await finds('provider not pinned', 'modules/secrets', (m) => void delete first(m.terraform[0]?.required_providers).random, unpinnedVersions);
  await finds('Terraform not pinned', '.', (m) => void delete m.terraform[0]?.required_version, unpinnedVersions);
  await finds('variable without description', '.', (m) => void delete one(m.variable, 'image_tag').description, undocumented);
  await finds('variable without type', '.', (m) => void delete one(m.variable, 'image_tag').type, undocumented);
  await finds('output without description', 'modules/web', (m) => void delete one(m.output, 'url').description, undocumented);
  await finds('undeclared var.', 'modules/network', (m) => void delete m.variable.cidr_block, references);
  await finds('undeclared var. in a for expression', 'modules/iam', (m) => void delete m.variable.autoscaling_group_names, references);
  await finds('undeclared local.', '.', (m) => void m.locals.forEach((l) => delete l.tiers), references);
  await finds('undeclared module.', '.', (m) => void delete m.module.email, references);
  await finds('missing module output', '.', (m) => void (one(m.output, 'url').value = '${module.web.no_such_output}'), references);
  await finds('undeclared resource', 'modules/web', (m) => void (one(m.output, 'url').value = '${aws_lb.other.dns_name}'), references);
  await finds('unused variable', 'modules/network', (m) => void (m.variable.spare = [{ type: '${string}', description: 'x' }]), unusedDeclarations);
  await finds('unknown module argument', '.', (m) => void (one(m.module, 'web').colour = 'blue'), calls);
  await finds('missing module argument', '.', (m) => void delete one(m.module, 'web').user_data, calls);
  await finds('public database', 'modules/database', (m) => void (resource(m, 'aws_db_instance').publicly_accessible = true), unsafeDatabases);
  await finds('unencrypted database', 'modules/database', (m) => void (resource(m, 'aws_db_instance').storage_encrypted = false), unsafeDatabases);
  await finds('public bucket', 'modules/storage', (m) => void (resource(m, 'aws_s3_bucket_public_access_block').block_public_policy = false), unsafeBuckets);
  await finds('unencrypted bucket', 'modules/storage', (m) => void delete m.resource.aws_s3_bucket_server_side_encryption_configuration, unsafeBuckets);
  await finds('unencrypted queue', 'modules/queue', (m) => void delete resource(m, 'aws_sqs_queue', 'dead_letter').sqs_managed_sse_enabled, unsafeQueues);
  await finds('queue without DLQ', 'modules/queue', (m) => void delete resource(m, 'aws_sqs_queue').redrive_policy, unsafeQueues);

  const workerStatement = (m: Module): Block => (one(m.data.aws_iam_policy_document, 'worker').statement as Block[])[0] ?? {};
  await finds('service:* action', 'modules/iam', (m) => void (workerStatement(m).actions as string[]).push('s3:*'), wildcardPermissions);
  await finds('* action', 'modules/iam', (m) => void (workerStatement(m).actions as string[]).push('*'), wildcardPermissions);
  await finds('scoped action on *', 'modules/iam', (m) => void (workerStatement(m).resources = ['*']), wildcardPermissions);
  await finds(
    'policy as JSON',
    'modules/iam',
    (m) => void m.locals.forEach((l) => 'policies' in l && (l.policies = '${jsonencode({ Statement = [{ Action = "sqs:*" }] })}')),
    wildcardPermissions,
  );

  const rule = (m: Module, name: string) => resource(m, 'aws_vpc_security_group_ingress_rule', name);
  await finds('instances open to the internet', 'modules/web', (m) => void (rule(m, 'instances').cidr_ipv4 = '0.0.0.0/0'), openIngress);
  await finds('instances open to another group', 'modules/web', (m) => void (rule(m, 'instances').referenced_security_group_id = '${var.vpc_id}'), openIngress);
  await finds('load balancer cut off', 'modules/web', (m) => void delete m.resource.aws_vpc_security_group_ingress_rule?.instances, openIngress);
  await finds(
    'worker ingress',
    'modules/worker',
    (m) => {
      const ssh = { security_group_id: '${module.instances.security_group_id}', referenced_security_group_id: '${var.vpc_id}' };
      m.resource.aws_vpc_security_group_ingress_rule = { ssh: [ssh] };
    },
    openIngress,
  );
  await finds('database open to a CIDR', 'modules/database', (m) => void (rule(m, 'this').cidr_ipv4 = '10.0.0.0/8'), openIngress);
  const scaling = (changes: 'web' | 'worker') => (mod: Module) => {
    const other = all.get(changes === 'web' ? 'modules/worker' : 'modules/web');
    if (!other) throw new Error('no web or worker module');
    return changes === 'web' ? scalingProblems(mod, other) : scalingProblems(other, mod);
  };
  await finds('health check elsewhere', 'modules/web', (m) => void (first(resource(m, 'aws_lb_target_group').health_check).path = '/'), scaling('web'));
  await finds('no drain hook', 'modules/worker', (m) => void delete m.resource.aws_autoscaling_lifecycle_hook, scaling('worker'));
  await finds('CPU instead of backlog', 'modules/worker', (m) => void (resource(m, 'aws_autoscaling_policy').target_tracking_configuration = [{}]), scaling('worker'));
  await finds('singleton not named this', 'modules/logs', (m) => void (m.resource.aws_cloudwatch_log_group = { app: [{}] }), misnamedSingletons);
});
