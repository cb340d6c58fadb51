// The one place that reads the environment. Every process validates it at start
// and stops with a message naming each wrong variable and what it expects.
import { availableParallelism } from 'node:os';
import Type, { type Static } from 'typebox';
import Value from 'typebox/value';

const Url = (description: string) => Type.String({ pattern: '^https?://[^\\s]+$', description });
const Port = (fallback: number, description: string) =>
  Type.Integer({ minimum: 1, maximum: 65535, default: fallback, description });

export const ConfigSchema = Type.Object({
  DATABASE_URL: Type.String({
    pattern: '^postgres(ql)?://',
    description: 'PostgreSQL connection URL, e.g. postgresql://user:pass@host:5432/db',
  }),
  DATABASE_PASSWORD_FILE: Type.Optional(Type.String({ minLength: 1, description: 'file holding the database password (instead of one in DATABASE_URL), read again when the database refuses it; e.g. /run/cct/database/password' })),
  AWS_REGION: Type.String({ minLength: 1, default: 'us-east-1', description: 'AWS region, e.g. eu-west-1' }),
  AWS_ENDPOINT_URL: Type.Optional(Url('S3/SQS endpoint of an emulator or LocalStack, e.g. http://127.0.0.1:4566; unset on AWS')),
  AWS_ENDPOINT_URL_SES: Type.Optional(Url('SES endpoint of an emulator, e.g. http://127.0.0.1:8005; unset on AWS')),
  AWS_ENDPOINT_URL_SQS: Type.Optional(Url('SQS endpoint when it is not AWS_ENDPOINT_URL, e.g. an emulator behind a proxy of its own; unset on AWS')),
  S3_BUCKET: Type.String({ pattern: '^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$', description: 'S3 bucket name (3-63 lower-case letters, digits, dots, hyphens)' }),
  SQS_QUEUE_URL: Url('URL of the SQS conversion queue'),
  SQS_DLQ_URL: Url('URL of the SQS dead-letter queue of the conversion queue'),
  SES_FROM: Type.String({ pattern: '^[^@\\s]+@[^@\\s]+$', description: 'sender address of notification emails, e.g. noreply@example.com' }),
  JWT_SECRET: Type.String({ minLength: 32, description: 'secret that signs login tokens, at least 32 characters (e.g. `openssl rand -hex 32`)' }),
  JWT_EXPIRES_IN: Type.String({ pattern: '^[1-9][0-9]*[smhd]$', default: '1h', description: 'token lifetime: a number and s, m, h or d, e.g. 1h' }),
  HOST: Type.String({ minLength: 1, default: '127.0.0.1', description: 'address the web process binds (0.0.0.0 in containers)' }),
  PORT: Port(3000, 'TCP port of the web process'),
  MAX_UPLOAD_BYTES: Type.Integer({ minimum: 1, default: 1024 ** 3, description: 'largest accepted upload in bytes' }),
  S3_PUBLIC_ENDPOINT: Type.Optional(Url('S3 endpoint as browsers and API clients reach it, when not AWS_ENDPOINT_URL, e.g. http://localhost:4566; unset on AWS')),
  UPLOAD_URL_TTL_SECONDS: Type.Integer({ minimum: 60, maximum: 604800, default: 3600, description: 'seconds a presigned upload URL stays valid (60 to 604800)' }),
  UPLOAD_PART_BYTES: Type.Integer({ minimum: 5 * 1024 ** 2, maximum: 5 * 1024 ** 3, default: 64 * 1024 ** 2, description: 'direct uploads up to this size are one presigned PUT, larger ones S3 multipart in parts of this size (5 MiB to 5 GiB)' }),
  DOWNLOAD_URL_TTL_SECONDS: Type.Integer({ minimum: 10, maximum: 604800, default: 300, description: 'seconds a presigned download URL stays valid (10 to 604800)' }),
  RATE_LIMIT_PER_MINUTE: Type.Integer({ minimum: 1, default: 1200, description: 'requests one client address may make per minute to one web process' }),
  RATE_LIMIT_REDIS_URL: Type.Optional(Type.String({ pattern: '^rediss?://[^\\s]+$', description: 'Redis URL that all web instances share their rate-limit counters in, e.g. redis://127.0.0.1:6379; unset: each process counts on its own' })),
  AUTH_RATE_LIMIT_PER_MINUTE: Type.Integer({ minimum: 1, default: 10, description: 'sign-up and login attempts one client address may make per minute to one web process' }),
  WORKER_CONCURRENCY: Type.Integer({ minimum: 1, maximum: 256, default: availableParallelism(), description: 'conversions one worker runs at once' }),
  WORKER_DRAIN_SECONDS: Type.Integer({ minimum: 0, maximum: 3600, default: 30, description: 'seconds a stopping worker lets running conversions finish before it aborts and requeues them' }),
  WORKER_RETRY_DELAY_SECONDS: Type.Integer({ minimum: 0, maximum: 300, default: 10, description: 'first redelivery delay after a transient failure; doubles with each attempt' }),
  UNSENT_GRACE_SECONDS: Type.Integer({ minimum: 1, default: 60, description: 'age in seconds after which a task whose queue message could not be sent (SQS was down) is sent by the worker' }),
  ORPHAN_GRACE_SECONDS: Type.Integer({ minimum: 1, default: 3600, description: 'age in seconds after which a stored task file that no task references is deleted by the worker' }),
  WORKER_PORT: Port(9100, 'TCP port of the worker health and metrics endpoint'),
  PUBLIC_BASE_URL: Type.String({ pattern: '^https?://[^\\s]+[^/]$', default: 'http://localhost:8080', description: 'public URL of the service without a trailing slash, used in email links' }),
  LOG_LEVEL: Type.Union(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)), {
    default: 'info',
    description: 'one of fatal, error, warn, info, debug, trace, silent',
  }),
  UI_DIR: Type.Optional(Type.String({ minLength: 1, description: 'folder of the bundled web UI (index.html, main.js, styles.css); default dist/ui beside the compiled code' })),
  FILE_RETENTION_DAYS: Type.Number({ exclusiveMinimum: 0, default: 7, description: 'days originals and results are kept before the worker deletes them, e.g. 7 (a fraction such as 0.5 works; terraform/ gives S3 the same value)' }),
  API_KEYS_PER_USER: Type.Integer({ minimum: 1, maximum: 1000, default: 10, description: 'live (unrevoked, unexpired) API keys one user may hold' }),
  WEBHOOKS_PER_USER: Type.Integer({ minimum: 1, maximum: 1000, default: 10, description: 'webhook endpoints one user may register' }),
  WEBHOOK_ALLOW_PRIVATE: Type.Boolean({ default: false, description: 'true or 1 lets webhooks reach loopback and private addresses (development and tests only)' }),
  WEBHOOK_MAX_ATTEMPTS: Type.Integer({ minimum: 1, maximum: 30, default: 13, description: 'delivery attempts of one webhook event before it is given up and its endpoint disabled' }),
  WEBHOOK_RETRY_BASE_SECONDS: Type.Number({ minimum: 0, maximum: 3600, default: 20, description: 'delay before the first webhook retry; doubles each time (20 and 13 attempts span about 23 hours)' }),
  WEBHOOK_TIMEOUT_SECONDS: Type.Number({ exclusiveMinimum: 0, maximum: 60, default: 10, description: 'total time one webhook attempt may take, connecting included' }),
  FFMPEG_PATH: Type.Optional(Type.String({ minLength: 1, description: 'path of the ffmpeg binary' })),
  FFPROBE_PATH: Type.Optional(Type.String({ minLength: 1, description: 'path of the ffprobe binary' })),
});

export type Config = Static<typeof ConfigSchema>;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

const properties = ConfigSchema.properties as Record<string, { description?: string }>;

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const raw: Record<string, string> = {};
  for (const name of Object.keys(properties)) {
    const value = env[name];
    if (value !== undefined && value !== '') raw[name] = value;
  }
  const config = Value.Convert(ConfigSchema, Value.Default(ConfigSchema, raw));
  const problems = [...Value.Errors(ConfigSchema, config)].flatMap((error) => {
    if (error.keyword === 'required') {
      const missing = (error.params as { requiredProperties: string[] }).requiredProperties;
      return missing.map((name) => `${name} is not set: expected ${properties[name]?.description}`);
    }
    const name = error.instancePath.split('/')[1];
    if (!name || error.instancePath.split('/').length > 2) return []; // union members repeat the top-level error
    // The value is not echoed: it may be a secret.
    return [`${name} is invalid: expected ${properties[name]?.description}`];
  });
  if (problems.length > 0) throw new ConfigError(`Invalid configuration:\n  ${[...new Set(problems)].join('\n  ')}`);
  return config as Config;
}

/** For process entry points: the configuration, or exit 1 with the message. */
export function loadConfigOrExit(): Config {
  try {
    return loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(error.message);
    process.exit(1);
  }
}
