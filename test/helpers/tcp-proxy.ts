// A loopback TCP proxy in front of a real service, to cut it off (refuse connections) or
// freeze it (connections stay open, nothing comes back) without losing its state.
import { createConnection, createServer, type Server, type Socket } from 'node:net';

export interface TcpProxy {
  port: number;
  /** Closes every connection and refuses new ones, as a stopped service would. */
  stop(): Promise<void>;
  /** Accepts connections again on the same port. */
  start(): Promise<void>;
  /** Holds every byte in both directions, as a frozen (SIGSTOPped) service would. */
  freeze(): void;
  thaw(): void;
  close(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  let frozen = false;
  const waiting = new Set<() => void>();
  let server: Server;
  let port = 0;

  const onConnection = (client: Socket) => {
    const upstream = createConnection(target);
    for (const [from, to] of [[client, upstream], [upstream, client]] as const) {
      sockets.add(from);
      from.on('data', (chunk) => {
        if (!frozen) return void to.write(chunk);
        from.pause();
        waiting.add(() => {
          to.write(chunk);
          from.resume();
        });
      });
      from.on('close', () => {
        sockets.delete(from);
        to.destroy();
      });
      from.on('error', () => to.destroy());
    }
  };

  const listen = () =>
    new Promise<void>((resolve) => {
      server = createServer(onConnection);
      server.listen(port, '127.0.0.1', () => {
        port = (server.address() as { port: number }).port;
        resolve();
      });
    });
  const stop = async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  };

  await listen();
  return {
    get port() {
      return port;
    },
    stop,
    start: listen,
    freeze: () => void (frozen = true),
    thaw() {
      frozen = false;
      for (const release of waiting) release();
      waiting.clear();
    },
    close: async () => {
      if (server.listening) await stop();
    },
  };
}
