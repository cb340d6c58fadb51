import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { PrismaClient } from '../generated/prisma/client.ts';
import { isRefusedLogin, PasswordFile } from './password-file.ts';

/**
 * Prisma, plus its own connection pool for the few hot paths written in SQL (src/db/sql.ts):
 * a named pg query costs about 0.1 ms of CPU here, a Prisma query about 0.7 ms (docs/benchmarks.md).
 */
export type Database = PrismaClient & { readonly pool: pg.Pool };

/**
 * Bounds on every database call, so that a database that is down, frozen or unreachable
 * turns into an error (a 503 at the API, a retry in the worker) within seconds instead of
 * a request that hangs. No query of this service legitimately runs longer.
 */
export const DATABASE_TIMEOUTS = {
  /** Opening a connection (TCP + authentication). */
  connectMs: 3000,
  /** Server-side: PostgreSQL cancels a statement that runs longer. */
  statementMs: 5000,
  /** Client-side: a server that stops answering (frozen, partitioned) fails the query; its connection is discarded. */
  queryMs: 6000,
};

export interface DatabaseOptions {
  poolSize?: number;
  /** DATABASE_PASSWORD_FILE: the password, read again when the database refuses it. */
  passwordFile?: string;
}

type ConnectCallback = (err: Error | undefined, client: pg.PoolClient | undefined, done: (release?: unknown) => void) => void;

/**
 * A pool whose connections take their password from the file, and which, when the
 * database refuses a new connection, reads the file again and retries once.
 */
class PasswordFilePool extends pg.Pool {
  readonly #password: PasswordFile;

  constructor(config: pg.PoolConfig, password: PasswordFile) {
    // A password in the URL would win over `password` in the config, so each client gets it.
    class PasswordFileClient extends pg.Client {
      constructor(clientConfig?: pg.ClientConfig) {
        super(clientConfig);
        Object.defineProperty(this, 'password', { value: password.read, writable: true });
      }
    }
    super({ ...config, Client: PasswordFileClient });
    this.#password = password;
  }

  override connect(): Promise<pg.PoolClient>;
  override connect(callback: ConnectCallback): void;
  override connect(callback?: ConnectCallback): Promise<pg.PoolClient> | void {
    const connected = super.connect().catch((error: unknown) => {
      if (!isRefusedLogin(error)) throw error;
      this.#password.forget();
      return super.connect();
    });
    if (!callback) return connected;
    connected.then(
      (client) => callback(undefined, client, (release) => client.release(release as Error | boolean | undefined)),
      (error: Error) => callback(error, undefined, () => {}),
    );
  }
}

export function createDatabase(databaseUrl: string, { poolSize = 10, passwordFile }: DatabaseOptions = {}): Database {
  const config: pg.PoolConfig = {
    connectionString: databaseUrl,
    max: poolSize,
    connectionTimeoutMillis: DATABASE_TIMEOUTS.connectMs,
    statement_timeout: DATABASE_TIMEOUTS.statementMs,
    query_timeout: DATABASE_TIMEOUTS.queryMs,
    keepAlive: true,
  };
  const pool = passwordFile ? new PasswordFilePool(config, new PasswordFile(passwordFile)) : new pg.Pool(config);
  // An idle connection that breaks is dropped by the pool; the next query opens another.
  pool.on('error', () => {});
  const adapter = new PrismaPg(pool, { disposeExternalPool: true });
  return Object.assign(new PrismaClient({ adapter }), { pool });
}

/** Prisma's codes for an unreachable, timed-out or closed database, and for a full pool. */
const UNAVAILABLE_CODES = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024']);
/** The driver adapter's kinds for the same, which a raw query reports inside its P2010. */
const UNAVAILABLE_KINDS = new Set(['DatabaseNotReachable', 'ConnectionClosed', 'SocketTimeout', 'TooManyConnections']);
/** PostgreSQL's own: connection exceptions (08), and a server shutting down, crashed or starting (57P01-57P03). */
const UNAVAILABLE_SQLSTATE = /^(08|57P0[123])/;
/** The pg driver's own errors for the same, which reach us as plain Errors. */
const DRIVER_MESSAGES = /^(Query read timeout|Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error)/;

interface DatabaseError {
  name?: string;
  code?: unknown;
  message?: string;
  meta?: { driverAdapterError?: { cause?: { kind?: string; code?: string } } };
}

/** True for an error that means "the database is down or not answering", not "this request is wrong". */
export function isDatabaseUnavailable(error: DatabaseError): boolean {
  // A raw query (P2010) or a model query of a server that went away carries the driver's cause.
  const cause = error.meta?.driverAdapterError?.cause;
  return (
    (typeof error.code === 'string' && (UNAVAILABLE_CODES.has(error.code) || UNAVAILABLE_SQLSTATE.test(error.code))) ||
    error.name === 'DriverAdapterError' ||
    DRIVER_MESSAGES.test(error.message ?? '') ||
    (cause !== undefined && (UNAVAILABLE_KINDS.has(cause.kind ?? '') || UNAVAILABLE_SQLSTATE.test(cause.code ?? '')))
  );
}
