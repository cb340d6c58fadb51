// The project's own rules for terraform/, on every .tf file parsed with @cdktf/hcl2json.
// What terraform itself checks (references, module wiring, argument names and types
// against the AWS provider's schema) is left to `terraform validate` and `plan`, which
// .ci/run runs through ../shared/tools/terraform-check. The last test feeds every check
// a broken copy of the real configuration, so a check that stopped noticing fails too.
import t from 'tap';
import { arraysUnder, first, loadAll, resources, strings, type Block, type Module, type Named } from '../helpers/terraform.ts';

const REQUIRED_FILES = ['main.tf', 'variables.tf', 'outputs.tf', 'versions.tf'];
/** Actions that IAM cannot scope to a resource, so `Resource: "*"` is their only form. */
const UNSCOPED_ACTIONS = new Set([
  'ecr:GetAuthorizationToken',
  'ssmmessages:CreateControlChannel',
  'ssmmessages:CreateDataChannel',
  'ssmmessages:OpenControlChannel',
  'ssmmessages:OpenDataChannel',
]);

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
 * Only a load balancer's security group may be open to address blocks, and only in the
 * module that makes it; there, every other rule must admit that load balancer alone (the
 * way into the web instances). A module that runs instances opens nothing itself (so the
 * workers admit nothing); elsewhere (the database) a rule must name a source group.
 */
function openIngress(mod: Module): string[] {
  const lbGroups = resources(mod, 'aws_lb').flatMap(([, lb]) => [...strings(lb.security_groups)]);
  const runsInstances = resources(mod, 'aws_launch_template').length > 0;
  const rules = ingressRules(mod);
  const problems = rules.flatMap(({ where, target, cidrs, source }) => {
    const onLoadBalancer = lbGroups.includes(target);
    if (runsInstances) return [`${mod.dir}: ${where} opens the instances; only the load balancer module may let traffic in`];
    if (cidrs.length > 0 && !onLoadBalancer) return [`${mod.dir}: ${where} opens ${target} to ${cidrs.join(', ')}`];
    if (onLoadBalancer) return [];
    if (lbGroups.length > 0 && !lbGroups.includes(String(source))) {
      return [`${mod.dir}: ${where} admits ${String(source)} to the instances, not the load balancer`];
    }
    return source === undefined ? [`${mod.dir}: ${where} names no source security group`] : [];
  });
  if (lbGroups.length > 0 && !rules.some((r) => !lbGroups.includes(r.target) && lbGroups.includes(String(r.source)))) {
    problems.push(`${mod.dir}: no rule lets the load balancer reach the instances`);
  }
  return problems;
}

/**
 * The web group counts the load balancer's /health check and scales on requests; the
 * worker group scales on backlog per instance and drains (its boot script reports its
 * health: test/infra/user-data.test.ts).
 */
function scalingProblems(root: Module, loadBalancer: Module, workerScaling: Module): string[] {
  const text = (mod: Module, type: string) => [...strings(resources(mod, type).map(([, r]) => r))].join(' ');
  const healthPath = first(resources(loadBalancer, 'aws_lb_target_group')[0]?.[1].health_check).path;
  const healthDefault = first(loadBalancer.variable.health_check_path).default;
  const onHealth = healthPath === '/health' || (healthPath === '${var.health_check_path}' && healthDefault === '/health');
  const groups = (root.locals.find((l) => 'groups' in l)?.groups ?? {}) as Record<string, Block>;
  const hooks = resources(workerScaling, 'aws_autoscaling_lifecycle_hook').map(([, h]) => h.lifecycle_transition);
  const backlogMetrics = ['ApproximateNumberOfMessagesVisible', 'GroupInServiceInstances', 'TargetTrackingScaling'];
  const mathExpression = resources(workerScaling, 'aws_autoscaling_policy').some(([, policy]) =>
    [...arraysUnder(policy, 'metrics')].flat().some((metric) => typeof (metric as Block).expression === 'string'),
  );
  return [
    ...(/ALBRequestCountPerTarget|ASGAverageCPUUtilization/.test(text(loadBalancer, 'aws_autoscaling_policy')) ? [] : ['web: no target tracking on requests or CPU']),
    ...(onHealth ? [] : ['web: target group not checked on /health']),
    ...(groups.web?.health_check_type === 'ELB' ? [] : ['web: the group does not count the load balancer\'s health check (health_check_type ELB)']),
    ...(hooks.includes('autoscaling:EC2_INSTANCE_TERMINATING') ? [] : ['worker: no termination lifecycle hook']),
    ...(backlogMetrics.every((word) => text(workerScaling, 'aws_autoscaling_policy').includes(word)) && mathExpression
      ? []
      : ['worker: no target tracking on backlog per instance (metric math)']),
  ];
}

/** Nothing changes under a running deployment by itself: no newest-AMI lookup, no expiry of tagged images. */
function driftingReleases(mod: Module): string[] {
  const amis = Object.entries(mod.data.aws_ami ?? {}).filter(([, [ami]]) => ami?.most_recent !== false);
  const tagStatuses = resources(mod, 'aws_ecr_lifecycle_policy').flatMap(([name, p]) =>
    [...String(p.policy).matchAll(/tagStatus\s*=\s*"(\w+)"/g)].map((m) => [name, m[1]] as const),
  );
  return [
    ...amis.map(([name]) => `${mod.dir}: data.aws_ami.${name} finds the newest AMI at every plan; pin it (ami_ssm_parameter_version)`),
    ...tagStatuses.filter(([, status]) => status !== 'untagged').map(([name, status]) => `${mod.dir}: aws_ecr_lifecycle_policy.${name} expires ${status} images; a tagged one may be running`),
  ];
}

/** The alarms issue 17 asked for exist and all notify the alarm topic. */
const REQUIRED_ALARMS = ['NumberOfMessagesReceived', 'ApproximateAgeOfOldestMessage', 'HTTPCode_ELB_5XX_Count', 'HTTPCode_Target_5XX_Count', 'UnHealthyHostCount', 'FreeStorageSpace', 'CPUUtilization'];
function alarmProblems(alarms: Module): string[] {
  const defined = Object.values((alarms.locals.find((l) => 'alarms' in l)?.alarms ?? {}) as Record<string, Block>).map((a) => a.metric);
  const notifying = resources(alarms, 'aws_cloudwatch_metric_alarm').every(([, a]) => JSON.stringify(a.alarm_actions) === '["${aws_sns_topic.this.arn}"]');
  return [
    ...REQUIRED_ALARMS.filter((metric) => !defined.includes(metric)).map((metric) => `no alarm on ${metric}`),
    ...(notifying && resources(alarms, 'aws_cloudwatch_metric_alarm').length > 0 ? [] : ['an alarm does not notify the alarm topic']),
  ];
}

/** HTTPS unless someone sets allow_plain_http on purpose. */
function plainHttpByDefault(root: Module): string[] {
  const allow = first(root.variable.allow_plain_http);
  const required = ((first(root.variable.certificate_arn).validation ?? []) as Block[]).some((v) => /var\.certificate_arn != null \|\| var\.allow_plain_http/.test(String(v.condition)));
  return [
    ...(allow.default === false ? [] : ['allow_plain_http must default to false']),
    ...(required ? [] : ['certificate_arn must be required unless allow_plain_http is true']),
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
const module = (dir: string): Module => {
  const found = all.get(dir);
  if (!found) throw new Error(`no module ${dir}`);
  return found;
};
const [root, loadBalancer, workerScaling] = ['.', 'modules/load_balancer', 'modules/worker_scaling'].map(module) as [Module, Module, Module];
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

t.test('HTTPS unless allow_plain_http is set on purpose', async (t) => {
  t.same(plainHttpByDefault(root), []);
});

t.test('web scales on load behind a /health check; workers scale on backlog per instance and drain', async (t) => {
  t.same(scalingProblems(root, loadBalancer, workerScaling), []);
});

t.test('dead letters, waiting conversions, 5xx, unhealthy hosts and the database raise alarms to the alarm topic', async (t) => {
  t.same(alarmProblems(module('modules/alarms')), []);
});

t.test('the AMI and the running image change only on purpose', async (t) => {
  t.same(everyModule(driftingReleases), []);
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

  await finds('missing outputs.tf', 'modules/queue', (m) => void m.files.splice(m.files.indexOf('outputs.tf'), 1), missingFiles);
  await finds('provider not pinned', 'modules/secrets', (m) => void delete first(m.terraform[0]?.required_providers).random, unpinnedVersions);
  await finds('Terraform not pinned', '.', (m) => void delete m.terraform[0]?.required_version, unpinnedVersions);
  await finds('variable without description', '.', (m) => void delete one(m.variable, 'image_tag').description, undocumented);
  await finds('variable without type', '.', (m) => void delete one(m.variable, 'image_tag').type, undocumented);
  await finds('output without description', 'modules/load_balancer', (m) => void delete one(m.output, 'url').description, undocumented);
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
  const lb = 'modules/load_balancer';
  await finds('instances open to the internet', lb, (m) => void (rule(m, 'instances').cidr_ipv4 = '0.0.0.0/0'), openIngress);
  await finds('instances open to another group', lb, (m) => void (rule(m, 'instances').referenced_security_group_id = '${var.vpc_id}'), openIngress);
  await finds('load balancer cut off', lb, (m) => void delete m.resource.aws_vpc_security_group_ingress_rule?.instances, openIngress);
  await finds(
    'ingress in the instance group (worker ssh)',
    'modules/instance_group',
    (m) => {
      const ssh = { security_group_id: '${aws_security_group.this.id}', referenced_security_group_id: '${var.database_security_group_id}' };
      m.resource.aws_vpc_security_group_ingress_rule = { ssh: [ssh] };
    },
    openIngress,
  );
  await finds('database open to a CIDR', 'modules/database', (m) => void (rule(m, 'this').cidr_ipv4 = '10.0.0.0/8'), openIngress);
  await finds('plain HTTP by default', '.', (m) => void (first(m.variable.allow_plain_http).default = true), plainHttpByDefault);
  await finds('certificate optional', '.', (m) => void (first(m.variable.certificate_arn).validation = []), plainHttpByDefault);

  await finds('health check elsewhere', lb, (m) => void (first(resource(m, 'aws_lb_target_group').health_check).path = '/'), (m) => scalingProblems(root, m, workerScaling));
  await finds('web group ignores the load balancer', '.', (m) => {
    const groups = m.locals.find((l) => 'groups' in l)?.groups as Record<string, Block>;
    groups.web!.health_check_type = 'EC2';
  }, (m) => scalingProblems(m, loadBalancer, workerScaling));
  await finds('no drain hook', 'modules/worker_scaling', (m) => void delete m.resource.aws_autoscaling_lifecycle_hook, (m) => scalingProblems(root, loadBalancer, m));
  await finds('CPU instead of backlog', 'modules/worker_scaling', (m) => void (resource(m, 'aws_autoscaling_policy').target_tracking_configuration = [{}]), (m) => scalingProblems(root, loadBalancer, m));
  await finds('newest AMI at every plan', '.', (m) => void (m.data.aws_ami = { al2023: [{ most_recent: true }] }), driftingReleases);
  await finds('tagged images expire', 'modules/registry', (m) => {
    const policy = resource(m, 'aws_ecr_lifecycle_policy');
    policy.policy = String(policy.policy).replace('"untagged"', '"any"');
  }, driftingReleases);
  await finds('dead letters unwatched', 'modules/alarms', (m) => {
    const alarms = m.locals.find((l) => 'alarms' in l)?.alarms as Record<string, Block>;
    delete alarms['dead-letters'];
  }, alarmProblems);
  await finds('alarm to nobody', 'modules/alarms', (m) => void (resource(m, 'aws_cloudwatch_metric_alarm').alarm_actions = []), alarmProblems);
  await finds('singleton not named this', 'modules/logs', (m) => void (m.resource.aws_cloudwatch_log_group = { app: [{}] }), misnamedSingletons);
});
