import { randomBytes, scryptSync } from 'node:crypto';
import {
  generateApiKey,
  generateRefreshToken,
  hashApiKey,
  hashPassword,
  passwordNeedsRehash,
  verifyPassword,
} from './secrets';

/** A hash in the format Lookout stored before argon2. */
function legacyScryptHash(password: string): string {
  const salt = randomBytes(16);
  const hash = scryptSync(password, salt, 64, { N: 16384, r: 8, p: 1 });
  return ['scrypt', 16384, 8, 1, salt.toString('base64'), hash.toString('base64')].join('$');
}

describe('secrets', () => {
  it('hashes with argon2id and verifies the right password only', async () => {
    const stored = await hashPassword('correct horse battery');
    expect(stored).toMatch(/^\$argon2id\$v=19\$m=19456,p=1,t=2\$/);
    expect(passwordNeedsRehash(stored)).toBe(false);
    await expect(verifyPassword('correct horse battery', stored)).resolves.toBe(true);
    await expect(verifyPassword('wrong', stored)).resolves.toBe(false);
  });

  it('still verifies scrypt hashes made before argon2, and asks for a re-hash', async () => {
    const stored = legacyScryptHash('old password');
    await expect(verifyPassword('old password', stored)).resolves.toBe(true);
    await expect(verifyPassword('old passworD', stored)).resolves.toBe(false);
    expect(passwordNeedsRehash(stored)).toBe(true);
  });

  it('refuses malformed hashes without throwing', async () => {
    for (const stored of ['garbage', '', 'scrypt$', 'scrypt$1$1$1$$', '$argon2id$v=19$m=1']) {
      await expect(verifyPassword('x', stored)).resolves.toBe(false);
    }
  });

  it('makes distinct API keys and refresh tokens whose hash is stable', () => {
    const a = generateApiKey();
    const b = generateApiKey();
    expect(a.key).toMatch(/^lk_[A-Za-z0-9]{40}$/);
    expect(a.key).not.toBe(b.key);
    expect(a.prefix).toBe(a.key.slice(0, 10));
    expect(hashApiKey(a.key)).toBe(a.hash);
    const token = generateRefreshToken();
    expect(token.token).toMatch(/^lr_[A-Za-z0-9_-]{43}$/);
    expect(hashApiKey(token.token)).toBe(token.hash);
    expect(generateRefreshToken().token).not.toBe(token.token);
  });
});
