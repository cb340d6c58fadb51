// A real HTTP receiver for webhook tests: records every request and answers as told.
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Test } from 'tap';

export interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

export async function startReceiver(t: Test, answer: (res: ServerResponse, index: number) => void = (res) => res.writeHead(204).end(), port = 0) {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      answer(res, received.length - 1);
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const close = () => new Promise<void>((resolve) => server.close(() => resolve()).closeAllConnections());
  t.teardown(close);
  const address = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${address.port}/hook`, port: address.port, received, close };
}
