import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { PrismaClient } from '../generated/prisma/client.ts';
import { isRefusedLogin, PasswordFile } from './password-file.ts';

export type Database = PrismaClient;

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
  const config = { connectionString: databaseUrl, max: poolSize };
  const adapter = passwordFile
    ? new PrismaPg(new PasswordFilePool(config, new PasswordFile(passwordFile)), { disposeExternalPool: true })
    : new PrismaPg(config);
  return new PrismaClient({ adapter });
}
