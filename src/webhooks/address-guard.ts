// Outbound safety for webhooks: only http(s) URLs whose host resolves to public unicast
// addresses. The check runs on the addresses the connection will use (a custom lookup), so
// a name that resolves to 127.0.0.1 or the metadata service is refused however it is spelled,
// and the address checked is the address connected to (no second lookup to rebind).
import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

export type Resolver = (hostname: string, options: LookupOptions & { all: true }, callback: (error: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void) => void;

export class BlockedAddressError extends Error {
  override name = 'BlockedAddressError';
  readonly code = 'EBLOCKEDADDRESS';
}

/** Public unicast only: no loopback, private, link-local (169.254.169.254), CGNAT, multicast or reserved ranges. */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  return ipaddr.process(address).range() === 'unicast';
}

const refused = (host: string, address: string) =>
  new BlockedAddressError(`${host} resolves to ${address}, a loopback, private or link-local address; webhooks may only call public addresses`);

/** A dns.lookup replacement that fails unless every address of the name is public (or private ones are allowed). */
export function guardedLookup(allowPrivate: boolean, resolve: Resolver = dnsLookup as unknown as Resolver) {
  return (hostname: string, options: LookupOptions, callback: (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void) => {
    resolve(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, '');
      const blocked = allowPrivate ? undefined : addresses.find((a) => !isPublicAddress(a.address));
      if (blocked) return callback(refused(hostname, blocked.address), '');
      if (addresses.length === 0) return callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), '');
      if (options.all) return callback(null, addresses);
      callback(null, addresses[0]!.address, addresses[0]!.family);
    });
  };
}

/** Why a webhook URL may not be used, or null. Resolves the name (a connection never bypasses the lookup for names). */
export async function webhookUrlProblem(raw: string, allowPrivate: boolean, resolve?: Resolver): Promise<string | null> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return `"${raw}" is not a URL; give an absolute http:// or https:// URL`;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `webhook URLs must start with http:// or https://, not ${url.protocol}`;
  if (url.username || url.password) return 'webhook URLs may not carry a user name or password; authenticate with the signature instead';
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (isIP(host)) return allowPrivate || isPublicAddress(host) ? null : refused(host, host).message;
  const lookup = guardedLookup(allowPrivate, resolve);
  return new Promise((done) =>
    lookup(host, {}, (error) => {
      if (!error) return done(null);
      done(error instanceof BlockedAddressError ? error.message : `the host ${host} could not be resolved (${error.code ?? error.message}); check the URL`);
    }),
  );
}
