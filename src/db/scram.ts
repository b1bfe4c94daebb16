import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * True when `verifier` (pg_authid.rolpassword, `SCRAM-SHA-256$iter:salt$StoredKey:ServerKey`)
 * was made from `password` — lets apply know a password is current without
 * resetting it (idempotence) and without logging in.
 */
export function scramMatches(verifier: string | null, password: string): boolean {
  const m = /^SCRAM-SHA-256\$(\d+):([^$]+)\$([^:]+):(.+)$/.exec(verifier ?? '');
  if (!m) return false;
  const [, iterations, salt, storedKey] = m as unknown as [string, string, string, string];
  // PostgreSQL SASLprep-normalizes passwords; ours are ASCII, for which that is the identity.
  const salted = pbkdf2Sync(password.normalize('NFKC'), Buffer.from(salt, 'base64'), Number(iterations), 32, 'sha256');
  const clientKey = createHmac('sha256', salted).update('Client Key').digest();
  const expected = createHash('sha256').update(clientKey).digest();
  const actual = Buffer.from(storedKey, 'base64');
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/**
 * A SCRAM-SHA-256 verifier for `password`. Roles get this instead of the
 * plaintext so that the statement text — which log_statement='all' (§10.3)
 * writes to the server log — never contains a password.
 */
export function scramVerifier(password: string, iterations = 4096, salt = randomBytes(16)): string {
  const salted = pbkdf2Sync(password.normalize('NFKC'), salt, iterations, 32, 'sha256');
  const clientKey = createHmac('sha256', salted).update('Client Key').digest();
  const storedKey = createHash('sha256').update(clientKey).digest();
  const serverKey = createHmac('sha256', salted).update('Server Key').digest();
  return `SCRAM-SHA-256$${iterations}:${salt.toString('base64')}$${storedKey.toString('base64')}:${serverKey.toString('base64')}`;
}
