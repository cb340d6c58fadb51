// The original service's password policy, and argon2id hashing.
import { hash, verify } from '@node-rs/argon2';

const RULES: Array<[RegExp, number, string]> = [
  [/[A-Z]/g, 2, 'upper-case letters'],
  [/[0-9]/g, 2, 'digits'],
  [/[^A-Za-z0-9]/g, 2, 'special characters (like % # !)'],
];

/** Returns what the password lacks, or null when it passes. */
export function passwordProblem(password: string): string | null {
  const missing = RULES.filter(([pattern, count]) => (password.match(pattern) ?? []).length < count).map(([, count, what]) => `${count} ${what}`);
  if (password.length < 8) missing.unshift('8 characters');
  return missing.length ? `The password needs at least ${missing.join(', ')}` : null;
}

// @node-rs/argon2's defaults are argon2id (its `Algorithm` enum is const and vanishes under tsx).
export const hashPassword = (password: string) => hash(password);

/** A real hash to verify against when the user does not exist, so both paths take the same time. */
const DECOY_HASH = hash('decoy password that matches nothing');

export async function verifyPassword(passwordHash: string | undefined, password: string): Promise<boolean> {
  if (!passwordHash) {
    await verify(await DECOY_HASH, password);
    return false;
  }
  return verify(passwordHash, password);
}
