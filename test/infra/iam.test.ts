// Each tier's IAM policy (terraform/modules/iam) allows exactly what its code and its
// boot script do, each action on the right resource and nothing more. The AWS SDK
// commands are found in the source files each process loads (followed from its entry
// point by relative imports); the AWS CLI calls in the rendered boot script.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import t from 'tap';
import { first, list, loadAll, renderUserData, statements, TERRAFORM, type Block, type Module } from '../helpers/terraform.ts';

const SRC = new URL('../../src/', import.meta.url).pathname;
type Tier = 'web' | 'worker';

/** The processes of each tier (the web instances also run the migrations). */
const ENTRY_POINTS: Record<Tier, string[]> = {
  web: ['web/server.ts', 'db/migrate-cli.ts'],
  worker: ['worker/main.ts'],
};

/** What the policy names each resource by (variables of terraform/modules/iam). */
const RESOURCES = {
  objects: '${var.bucket_arn}/users/*',
  bucket: '${var.bucket_arn}',
  queue: '${var.queue_arn}',
  deadLetterQueue: '${var.dead_letter_queue_arn}',
  emailIdentities: '${var.email_identity_arns}',
};
/** The queues a tier works with: the web tier sends to the conversion queue, the worker consumes it and the dead-letter queue. */
const TIER_QUEUES: Record<Tier, string[]> = { web: [RESOURCES.queue], worker: [RESOURCES.queue, RESOURCES.deadLetterQueue] };

interface Permission {
  action: string;
  resources: (tier: Tier) => string[];
}
const on = (...names: Array<keyof typeof RESOURCES>) => () => names.map((name) => RESOURCES[name]);
const tierQueues = (tier: Tier) => TIER_QUEUES[tier];

/**
 * The IAM actions each SDK command needs. A command the code sends that is not listed
 * here fails the test: add it with the actions AWS documents for it (the service
 * authorization reference) and the resource they apply to. A presigned URL needs what
 * its command needs (the instance role signs it); it is found by that command
 * (`getSignedUrl(s3, new XxxCommand(…))`), a presigned POST by `createPresignedPost(`.
 * An entry no code uses yet changes nothing: only commands found count.
 */
const COMMAND_PERMISSIONS: Record<string, Permission[]> = {
  // Without s3:ListBucket a missing key is AccessDenied, not NoSuchKey.
  GetObjectCommand: [{ action: 's3:GetObject', resources: on('objects') }, { action: 's3:ListBucket', resources: on('bucket') }],
  DeleteObjectsCommand: [{ action: 's3:DeleteObject', resources: on('objects') }],
  HeadBucketCommand: [{ action: 's3:ListBucket', resources: on('bucket') }],
  ListObjectsV2Command: [{ action: 's3:ListBucket', resources: on('bucket') }], // the orphan sweeper
  PutObjectCommand: [{ action: 's3:PutObject', resources: on('objects') }],
  createPresignedPost: [{ action: 's3:PutObject', resources: on('objects') }],
  CreateMultipartUploadCommand: [{ action: 's3:PutObject', resources: on('objects') }],
  UploadPartCommand: [{ action: 's3:PutObject', resources: on('objects') }],
  CompleteMultipartUploadCommand: [{ action: 's3:PutObject', resources: on('objects') }],
  AbortMultipartUploadCommand: [{ action: 's3:AbortMultipartUpload', resources: on('objects') }],
  HeadObjectCommand: [{ action: 's3:GetObject', resources: on('objects') }, { action: 's3:ListBucket', resources: on('bucket') }],
  SendMessageCommand: [{ action: 'sqs:SendMessage', resources: on('queue') }],
  ReceiveMessageCommand: [{ action: 'sqs:ReceiveMessage', resources: tierQueues }],
  DeleteMessageCommand: [{ action: 'sqs:DeleteMessage', resources: tierQueues }],
  ChangeMessageVisibilityCommand: [{ action: 'sqs:ChangeMessageVisibility', resources: tierQueues }],
  GetQueueAttributesCommand: [{ action: 'sqs:GetQueueAttributes', resources: tierQueues }],
  SendEmailCommand: [{ action: 'ses:SendEmail', resources: on('emailIdentities') }],
};

/** What an instance does besides the app and the boot script's `aws` calls. */
const AGENT_ACTIONS = [
  'ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', // docker pull
  'logs:CreateLogStream', 'logs:PutLogEvents', // Docker's awslogs driver
  'ssm:UpdateInstanceInformation', 'ssmmessages:CreateControlChannel', 'ssmmessages:CreateDataChannel', // Session Manager's agent
  'ssmmessages:OpenControlChannel', 'ssmmessages:OpenDataChannel',
];
/** `aws <service> <command>` calls whose action is not the command's own name. */
const CLI_ACTIONS: Record<string, string> = { 'ecr get-login-password': 'ecr:GetAuthorizationToken' };

/** The source files a process loads, from its entry points by relative imports. */
function sourceFiles(entryPoints: string[]): string[] {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const text = readFileSync(file, 'utf8');
    for (const [, path] of text.matchAll(/(?:from|import\()\s*'(\.{1,2}\/[^']+\.ts)'/g)) visit(resolve(dirname(file), path!));
  };
  for (const entry of entryPoints) visit(join(SRC, entry));
  return [...seen].sort();
}

/**
 * SDK commands sent in `files`, with the file of each use (`new XxxCommand(`, `createPresignedPost(`), and the
 * SQS actions sent as signed requests of our own ('AmazonSQS.Xxx', src/queue/send-message.ts).
 */
function sdkCommands(files: string[]): Map<string, string[]> {
  const found = new Map<string, string[]>();
  for (const file of files) {
    for (const match of readFileSync(file, 'utf8').matchAll(/\bnew ([A-Z]\w*Command)\(|\b(createPresignedPost)\(|'AmazonSQS\.(\w+)'/g)) {
      const command = (match[1] ?? match[2] ?? `${match[3]}Command`)!;
      found.set(command, [...(found.get(command) ?? []), relative(SRC, file)]);
    }
  }
  return found;
}

function cliActions(script: string): string[] {
  return [...script.matchAll(/\baws ([a-z0-9-]+) ([a-z0-9-]+)/g)].map(([, service, command]) => {
    const pascal = command!.replace(/(^|-)([a-z])/g, (_, _dash, letter: string) => letter.toUpperCase());
    return CLI_ACTIONS[`${service} ${command}`] ?? `${service}:${pascal}`;
  });
}

/** The tier's policy as action -> resources, over its own statements and the shared instance statements. */
function granted(iam: Module, tier: Tier): Map<string, Set<string>> {
  const grants = new Map<string, Set<string>>();
  for (const statement of [...statements(iam, 'instance'), ...statements(iam, tier)]) {
    for (const action of list(statement.actions)) {
      const set = grants.get(action) ?? new Set<string>();
      for (const resource of list(statement.resources)) set.add(resource);
      grants.set(action, set);
    }
  }
  return grants;
}

const sorted = (values: Iterable<string>) => [...new Set(values)].sort();

/** What is wrong with the tier's policy for these commands and boot-script actions; [] when it fits. */
function policyProblems(iam: Module, tier: Tier, commands: Map<string, string[]>, bootActions: string[]): string[] {
  const problems: string[] = [];
  const needed = new Map<string, Set<string>>();
  for (const [command, files] of commands) {
    const permissions = COMMAND_PERMISSIONS[command];
    if (!permissions) {
      problems.push(`${command} (${files.join(', ')}) has no entry in COMMAND_PERMISSIONS of test/infra/iam.test.ts: add the IAM actions it needs and the resources they apply to, then allow them in terraform/modules/iam`);
      continue;
    }
    for (const { action, resources } of permissions) needed.set(action, new Set([...(needed.get(action) ?? []), ...resources(tier)]));
  }
  const grants = granted(iam, tier);
  const expected = sorted([...needed.keys(), ...bootActions, ...AGENT_ACTIONS]);
  for (const action of expected) if (!grants.has(action)) problems.push(`${tier}: ${action} is needed but not allowed`);
  for (const action of grants.keys()) if (!expected.includes(action)) problems.push(`${tier}: ${action} is allowed but nothing uses it`);
  for (const [action, resources] of needed) {
    const allowed = sorted(grants.get(action) ?? []);
    if (grants.has(action) && allowed.join() !== sorted(resources).join()) {
      problems.push(`${tier}: ${action} is allowed on ${allowed.join(', ')}; the code needs ${sorted(resources).join(', ')}`);
    }
  }
  return problems;
}

/** ses:SendEmail only from SES_FROM: the condition names the address the root module gives the app. */
function sesProblems(iam: Module, root: Module): string[] {
  const sending = statements(iam, 'worker').filter((s) => list(s.actions).includes('ses:SendEmail'));
  const conditions = sending.flatMap((s) => (s.condition ?? []) as Block[]);
  const fromAddress = conditions.find((c) => c.test === 'StringEquals' && c.variable === 'ses:FromAddress');
  const appEnvironment = first(root.locals.filter((l) => 'app_environment' in l).map((l) => l.app_environment));
  return [
    ...(sending.length === 1 && fromAddress && list(fromAddress.values).join() === '${var.ses_from}' ? [] : ['worker: ses:SendEmail is not limited to ses:FromAddress = var.ses_from']),
    ...(first(root.module.iam).ses_from === '${local.ses_from}' && appEnvironment.SES_FROM === '${local.ses_from}' ? [] : ['the iam module\'s ses_from is not the app\'s SES_FROM']),
  ];
}

const all = await loadAll();
const iam = all.get('modules/iam')!;
const root = all.get('.')!;
const skip = TERRAFORM ? false : 'terraform is not installed (it renders the boot script)';
const commandsOf = (tier: Tier) => sdkCommands(sourceFiles(ENTRY_POINTS[tier]));

t.test('the code sends the commands this test knows of', async (t) => {
  t.ok(commandsOf('web').has('SendMessageCommand') && commandsOf('web').has('PutObjectCommand'), 'the web tier sends messages and uploads');
  t.ok(commandsOf('worker').has('ReceiveMessageCommand') && commandsOf('worker').has('SendEmailCommand'), 'the worker receives and mails');
  t.notOk(commandsOf('web').has('SendEmailCommand'), 'the web tier sends no email');
});

for (const tier of ['web', 'worker'] as const) {
  t.test(`the ${tier} policy allows exactly what the ${tier} code and boot script do`, { skip }, async (t) => {
    t.same(policyProblems(iam, tier, commandsOf(tier), cliActions(renderUserData(tier))), []);
  });
}

t.test('the worker sends email only from SES_FROM', async (t) => {
  t.same(sesProblems(iam, root), []);
});

t.test('each check reports a policy that does not fit the code', { skip }, async (t) => {
  const worker = commandsOf('worker');
  const boot = cliActions(renderUserData('worker'));
  const changed = (change: (copy: Module) => void) => {
    const copy = structuredClone(iam);
    change(copy);
    return copy;
  };
  const workerStatement = (m: Module, sid: string) => statements(m, 'worker').find((s) => s.sid === sid)!;

  const unmapped = policyProblems(iam, 'worker', new Map([...worker, ['PutBucketPolicyCommand', ['storage/s3.ts']]]), boot);
  t.match(unmapped, [/PutBucketPolicyCommand \(storage\/s3\.ts\) has no entry in COMMAND_PERMISSIONS .*: add the IAM actions/]);
  t.same(policyProblems(iam, 'worker', new Map([...worker, ['HeadObjectCommand', ['storage/s3.ts']]]), boot), [], 'HeadObject needs what GetObject already has');
  const sample = join(mkdtempSync(join(tmpdir(), 'cct-iam-')), 'uploads.ts');
  writeFileSync(sample, 'await getSignedUrl(s3, new UploadPartCommand({}));\nawait createPresignedPost(s3, {});\n');
  t.same([...sdkCommands([sample]).keys()], ['UploadPartCommand', 'createPresignedPost'], 'presigned URLs and POSTs are found');
  t.match(policyProblems(changed((m) => (workerStatement(m, 'RequeueUnsent').actions = [])), 'worker', worker, boot), [/sqs:SendMessage is needed but not allowed/]);
  t.match(policyProblems(changed((m) => (workerStatement(m, 'RequeueUnsent').actions = ['sqs:SendMessage', 'sqs:PurgeQueue'])), 'worker', worker, boot), [/sqs:PurgeQueue is allowed but nothing uses it/]);
  t.match(policyProblems(changed((m) => (workerStatement(m, 'RequeueUnsent').resources = [RESOURCES.queue, RESOURCES.deadLetterQueue])), 'worker', worker, boot), [/sqs:SendMessage is allowed on .*dead_letter_queue_arn.*; the code needs \$\{var\.queue_arn\}$/]);
  t.match(policyProblems(iam, 'web', worker, cliActions(renderUserData('web'))), [/web: .* is needed but not allowed/], 'the web policy does not fit the worker');
  t.match(policyProblems(iam, 'worker', worker, [...boot, 'ec2:TerminateInstances']), [/ec2:TerminateInstances is needed but not allowed/], 'a new aws call in the boot script');
  t.match(sesProblems(changed((m) => delete workerStatement(m, 'NotifyOwners').condition), root), [/not limited to ses:FromAddress/]);
});
