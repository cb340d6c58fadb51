import t from 'tap';
import { ConfigError, loadConfig } from '../src/config.ts';
import { createSqs } from '../src/queue/sqs.ts';

const valid = {
  DATABASE_URL: 'postgresql://u:p@127.0.0.1:5432/db',
  S3_BUCKET: 'my-bucket',
  SQS_QUEUE_URL: 'http://127.0.0.1:4566/000000000000/q',
  SQS_DLQ_URL: 'http://127.0.0.1:4566/000000000000/dlq',
  SES_FROM: 'noreply@example.com',
  JWT_SECRET: 's'.repeat(32),
};

t.test('a valid environment gets typed values and defaults', async (t) => {
  const config = loadConfig({ ...valid, PORT: '3001', MAX_UPLOAD_BYTES: '1000' });
  t.equal(config.PORT, 3001);
  t.equal(config.MAX_UPLOAD_BYTES, 1000);
  t.equal(config.JWT_EXPIRES_IN, '1h');
  t.equal(config.AWS_REGION, 'us-east-1');
  t.ok(config.WORKER_CONCURRENCY >= 1);
  t.equal(config.AWS_ENDPOINT_URL, undefined);
});

t.test('each missing variable is named with what it expects', async (t) => {
  const error = t.throws(() => loadConfig({})) as Error;
  t.type(error, ConfigError);
  for (const name of Object.keys(valid)) t.match(error.message, new RegExp(`${name} is not set: expected \\S`));
});

t.test('wrong values are named, explained, and not echoed', async (t) => {
  const error = t.throws(() =>
    loadConfig({ ...valid, PORT: 'eighty', LOG_LEVEL: 'loud', JWT_SECRET: 'tooshort', DATABASE_URL: 'mysql://x', JWT_EXPIRES_IN: 'soon', AWS_ENDPOINT_URL: 'localhost' }),
  ) as Error;
  t.match(error.message, /PORT is invalid: expected TCP port/);
  t.match(error.message, /LOG_LEVEL is invalid: expected one of fatal, error/);
  t.match(error.message, /JWT_SECRET is invalid: expected .*at least 32 characters/);
  t.match(error.message, /DATABASE_URL is invalid: expected PostgreSQL connection URL/);
  t.match(error.message, /JWT_EXPIRES_IN is invalid/);
  t.match(error.message, /AWS_ENDPOINT_URL is invalid/);
  t.notMatch(error.message, /tooshort/);
  t.equal(error.message.split('\n').length, 7, 'one line per problem, no duplicates');
});

t.test('empty strings count as unset, so defaults apply', async (t) => {
  t.equal(loadConfig({ ...valid, PORT: '' }).PORT, 3000);
});

t.test('SQS may have an endpoint of its own; the unsent-task grace has a default', async (t) => {
  const shared = loadConfig({ ...valid, AWS_ENDPOINT_URL: 'http://127.0.0.1:4566' });
  t.equal(shared.UNSENT_GRACE_SECONDS, 60);
  t.equal((await createSqs(shared).config.endpoint!()).port, 4566, 'AWS_ENDPOINT_URL when no SQS endpoint is named');
  const own = loadConfig({ ...valid, AWS_ENDPOINT_URL: 'http://127.0.0.1:4566', AWS_ENDPOINT_URL_SQS: 'http://127.0.0.1:4567' });
  t.equal((await createSqs(own).config.endpoint!()).port, 4567);
});
