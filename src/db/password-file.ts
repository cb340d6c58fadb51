// The database password from a file that something else keeps current (on AWS the
// boot script, from Secrets Manager). It is read once and read again only after the
// database refused it: during a rotation the file changes first, and the password in
// use keeps working until the database changes it too.
import { readFile } from 'node:fs/promises';

/** SQLSTATEs of a refused login: invalid_password, invalid_authorization_specification. */
const REFUSED = new Set(['28P01', '28000']);

export function isRefusedLogin(error: unknown): boolean {
  return REFUSED.has(String((error as { code?: unknown } | null)?.code));
}

export class PasswordFile {
  #password: Promise<string> | undefined;

  constructor(readonly path: string) {}

  /** The password (trailing newline dropped); the file is read on first use and after forget(). */
  read = (): Promise<string> => {
    this.#password ??= readFile(this.path, 'utf8').then(
      (text) => text.replace(/\r?\n$/, ''),
      (error: Error) => {
        this.#password = undefined;
        throw new Error(`cannot read the database password from ${this.path}: ${error.message}`);
      },
    );
    return this.#password;
  };

  forget(): void {
    this.#password = undefined;
  }
}
