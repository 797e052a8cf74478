import { generateApiKey, hashApiKey, hashPassword, verifyPassword } from './secrets';

describe('secrets', () => {
  it('verifies the right password and refuses a wrong one', async () => {
    const stored = await hashPassword('correct horse battery');
    expect(stored).toMatch(/^scrypt\$16384\$8\$1\$/);
    await expect(verifyPassword('correct horse battery', stored)).resolves.toBe(true);
    await expect(verifyPassword('wrong', stored)).resolves.toBe(false);
    await expect(verifyPassword('x', 'garbage')).resolves.toBe(false);
  });

  it('makes distinct API keys whose hash is stable', () => {
    const a = generateApiKey();
    const b = generateApiKey();
    expect(a.key).toMatch(/^lk_[A-Za-z0-9]{40}$/);
    expect(a.key).not.toBe(b.key);
    expect(a.prefix).toBe(a.key.slice(0, 10));
    expect(hashApiKey(a.key)).toBe(a.hash);
  });
});
