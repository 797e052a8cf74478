import * as argon2 from 'argon2';
import {
  createHash,
  randomBytes,
  scrypt as scryptCallback,
  timingSafeEqual,
  type ScryptOptions,
} from 'node:crypto';

/**
 * argon2id with OWASP's baseline (19 MiB, 2 passes, 1 lane): ~20 ms per hash here, memory-hard
 * against GPU guessing. The parameters travel in the encoded hash, so raising them later re-hashes
 * each password at its next sign-in (`passwordNeedsRehash`).
 */
const ARGON2 = {
  type: argon2.argon2id,
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
} satisfies argon2.HashOptions;

/** `$argon2id$v=19$m=…,t=…,p=…$salt$hash`. */
export function hashPassword(password: string): Promise<string> {
  return argon2.hash(password, ARGON2);
}

/**
 * Checks a password against a stored hash: argon2 (current), or `scrypt$N$r$p$salt$hash` (hashes
 * made before argon2; re-hashed at the next successful sign-in). Never throws on a malformed hash.
 */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  if (stored.startsWith('$argon2')) {
    try {
      return await argon2.verify(stored, password);
    } catch {
      return false;
    }
  }
  if (stored.startsWith('scrypt$')) return verifyScrypt(password, stored);
  return false;
}

/** Whether a stored hash is not argon2id with today's parameters. */
export function passwordNeedsRehash(stored: string): boolean {
  if (!stored.startsWith('$argon2id$')) return true;
  try {
    return argon2.needsRehash(stored, ARGON2);
  } catch {
    return true;
  }
}

function scrypt(
  password: string,
  salt: Buffer,
  length: number,
  options: ScryptOptions,
): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scryptCallback(password, salt, length, options, (error, key) =>
      error ? reject(error) : resolve(key),
    ),
  );
}

async function verifyScrypt(password: string, stored: string): Promise<boolean> {
  const [, n, r, p, salt, hash] = stored.split('$');
  if (!hash) return false;
  const expected = Buffer.from(hash, 'base64');
  try {
    const actual = await scrypt(password, Buffer.from(salt, 'base64'), expected.length, {
      N: Number(n),
      r: Number(r),
      p: Number(p),
      maxmem: 256 * 1024 * 1024,
    });
    return timingSafeEqual(expected, actual);
  } catch {
    return false;
  }
}

/** API keys look like `lk_` + 40 base62 characters; the prefix tells them from access tokens. */
export const API_KEY_PREFIX = 'lk_';

/** Refresh tokens look like `lr_` + 43 base64url characters (256 random bits). */
export const REFRESH_TOKEN_PREFIX = 'lr_';

export function generateApiKey(): { key: string; prefix: string; hash: string } {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  const bytes = randomBytes(40);
  let body = '';
  for (const byte of bytes) body += alphabet[byte % alphabet.length];
  const key = `${API_KEY_PREFIX}${body}`;
  return { key, prefix: key.slice(0, 10), hash: hashApiKey(key) };
}

/** SHA-256: keys and refresh tokens are long random strings, so a fast hash is enough. */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

export function generateRefreshToken(): { token: string; hash: string } {
  const token = `${REFRESH_TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
  return { token, hash: hashApiKey(token) };
}

export function generatePassword(): string {
  return randomBytes(15).toString('base64url');
}
