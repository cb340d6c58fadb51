// Outbound safety of one attempt, against real local servers: names and literals that lead to
// non-public addresses, redirects, timeouts, and replies too large to read.
import type { LookupAddress } from 'node:dns';
import t from 'tap';
import { isPublicAddress, type Resolver } from '../../src/webhooks/address-guard.ts';
import { createSender } from '../../src/webhooks/send.ts';
import { startReceiver } from '../helpers/receiver.ts';

/** Stand-in DNS: names of our own choosing resolve to given addresses, with no network. */
const fakeDns = (table: Record<string, string[]>): Resolver => (hostname, _options, callback) => {
  const addresses = table[hostname];
  if (!addresses) return callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }), []);
  callback(null, addresses.map((address): LookupAddress => ({ address, family: address.includes(':') ? 6 : 4 })));
};

const message = (url: string) => ({ url, secret: `whsec_${Buffer.alloc(24, 7).toString('base64')}`, messageId: 'msg_test', body: '{"type":"task.processed"}' });

t.test('public and non-public addresses', async (t) => {
  for (const address of ['93.184.216.34', '8.8.8.8', '2606:4700::1111']) t.ok(isPublicAddress(address), address);
  for (const address of ['127.0.0.1', '10.0.0.1', '172.16.5.4', '192.168.0.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '::1', '::', 'fe80::1', 'fd00::1', '::ffff:10.0.0.1', '224.0.0.1', 'not-an-ip']) {
    t.notOk(isPublicAddress(address), address);
  }
});

t.test('a name that resolves to 127.0.0.1 (or to any private address among public ones) is refused before connecting', async (t) => {
  const receiver = await startReceiver(t);
  const sender = createSender({
    allowPrivate: false,
    timeoutMs: 2000,
    resolve: fakeDns({ 'hooks.example.test': ['127.0.0.1'], 'mixed.example.test': ['93.184.216.34', '10.0.0.7'], 'meta.example.test': ['169.254.169.254'] }),
  });
  t.teardown(() => sender.close());
  for (const [host, address] of [['hooks.example.test', '127.0.0.1'], ['mixed.example.test', '10.0.0.7'], ['meta.example.test', '169.254.169.254']] as const) {
    const attempt = await sender.send(message(`http://${host}:${receiver.port}/hook`));
    t.match(attempt, { ok: false, statusCode: null, error: `${host} resolves to ${address}` }, host);
  }
  for (const literal of [`127.0.0.1:${receiver.port}`, '10.0.0.1', '169.254.169.254', '[::1]']) {
    t.match(await sender.send(message(`http://${literal}/hook`)), { ok: false, error: /loopback, private or link-local/ }, literal);
  }
  t.equal(receiver.received.length, 0, 'the receiver was never reached');
});

t.test('the address the guard approved is the one connected to', async (t) => {
  const receiver = await startReceiver(t);
  const sender = createSender({ allowPrivate: true, timeoutMs: 2000, resolve: fakeDns({ 'hooks.example.test': ['127.0.0.1'] }) });
  t.teardown(() => sender.close());
  t.match(await sender.send(message(`http://hooks.example.test:${receiver.port}/hook`)), { ok: true, statusCode: 204 });
  t.equal(receiver.received[0]?.headers.host, `hooks.example.test:${receiver.port}`);
});

t.test('a redirect is not followed, not even to an allowed address', async (t) => {
  const target = await startReceiver(t);
  const redirecting = await startReceiver(t, (res) => res.writeHead(302, { location: target.url }).end());
  const sender = createSender({ allowPrivate: true, timeoutMs: 2000 });
  t.teardown(() => sender.close());
  t.match(await sender.send(message(redirecting.url)), { ok: false, statusCode: 302, error: 'HTTP 302 (redirects are not followed)' });
  t.equal(redirecting.received.length, 1);
  t.equal(target.received.length, 0, 'the redirect target was never called');
});

t.test('a receiver that does not answer times out; a huge reply is not read', async (t) => {
  const silent = await startReceiver(t, () => {}); // never answers
  const sender = createSender({ allowPrivate: true, timeoutMs: 500 });
  t.teardown(() => sender.close());
  const started = Date.now();
  t.match(await sender.send(message(silent.url)), { ok: false, error: 'no answer within the timeout' });
  t.ok(Date.now() - started < 1500, `gave up after ${Date.now() - started} ms`);

  let finished = false;
  const chunk = Buffer.alloc(64 * 1024, 'x');
  const huge = await startReceiver(t, (res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    let sent = 0;
    const write = () => {
      while (sent < 1024) {
        sent += 1; // 64 MiB in all
        if (!res.write(chunk)) return void res.once('drain', write);
      }
      res.end(() => (finished = true));
    };
    res.on('error', () => {});
    write();
  });
  const attempt = await sender.send(message(huge.url));
  t.match(attempt, { ok: true, statusCode: 200 });
  await new Promise((resolve) => setTimeout(resolve, 300));
  t.notOk(finished, 'the 64 MiB reply was never read to its end');
});
