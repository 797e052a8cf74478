import { getDataSourceToken } from '@nestjs/typeorm';
import { createTestEnv, startSystem, type TestEnv, type TestSystem } from '@app/testing';
import { randomBytes, scryptSync } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { SecurityHardening1763840000000 } from '../migrations/1763840000000-SecurityHardening';

interface Reply {
  status: number;
  body: Record<string, unknown>;
  headers: Headers;
}

interface TokenPair {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
  refreshExpiresIn: number;
}

/** Sign-in sessions, refresh rotation, logout, passwords, lockout, users and their audit trail. */
describe('users, sessions and sign-in (real api)', () => {
  let testEnv: TestEnv;
  let system: TestSystem;
  let dataSource: DataSource;
  let admin: string;

  const api = async (
    method: string,
    path: string,
    options: { token?: string; body?: unknown; ip?: string } = {},
  ): Promise<Reply> => {
    const headers: Record<string, string> = {};
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    // The test client is on loopback, a trusted proxy: X-Forwarded-For picks the client address.
    if (options.ip) headers['x-forwarded-for'] = options.ip;
    const response = await fetch(`${system.baseUrl}${path}`, {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
    const text = await response.text();
    return {
      status: response.status,
      body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
      headers: response.headers,
    };
  };

  const login = async (username: string, password: string, ip?: string) =>
    api('POST', '/api/v1/auth/login', { body: { username, password }, ip });

  const signIn = async (username: string, password: string): Promise<TokenPair> => {
    const reply = await login(username, password);
    expect(reply.status).toBe(200);
    return reply.body as unknown as TokenPair;
  };

  const createUser = async (username: string, role: string, password = `${username}-password`) => {
    const reply = await api('POST', '/api/v1/users', {
      token: admin,
      body: { username, password, role },
    });
    expect(reply.status).toBe(201);
    return String(reply.body.id);
  };

  const me = (token: string) => api('GET', '/api/v1/auth/me', { token });

  beforeAll(async () => {
    testEnv = createTestEnv('security_auth', { JWT_TTL_SECONDS: '900' });
    system = await startSystem(testEnv, { worker: false });
    dataSource = system.api.get<DataSource>(getDataSourceToken());
    admin = (await signIn('admin', testEnv.env.ADMIN_PASSWORD)).accessToken;
  });

  afterAll(async () => {
    await system?.close();
    await testEnv?.cleanup();
  });

  describe('sessions', () => {
    it('signs in with an access token of JWT_TTL_SECONDS and a refresh token', async () => {
      const pair = await signIn('admin', testEnv.env.ADMIN_PASSWORD);
      expect(pair.expiresIn).toBe(900);
      expect(pair.refreshToken).toMatch(/^lr_[\w-]{43}$/);
      expect(pair.refreshExpiresIn).toBe(7 * 24 * 3600);
      const claims = JSON.parse(
        Buffer.from(pair.accessToken.split('.')[1], 'base64url').toString(),
      ) as { exp: number; iat: number; sid: string };
      expect(claims.exp - claims.iat).toBe(900);
      expect(claims.sid).toMatch(/^[0-9a-f-]{36}$/);
      // Only a hash of the refresh token is stored.
      const stored: { token_hash: string }[] = await dataSource.query(
        `SELECT token_hash FROM refresh_tokens`,
      );
      expect(stored.some((row) => row.token_hash.includes(pair.refreshToken))).toBe(false);
      expect(stored.every((row) => /^[0-9a-f]{64}$/.test(row.token_hash))).toBe(true);
    });

    it('rotates the refresh token; a reused one revokes the whole session', async () => {
      await createUser('rotating', 'viewer');
      const first = await signIn('rotating', 'rotating-password');
      const refreshed = await api('POST', '/api/v1/auth/refresh', {
        body: { refreshToken: first.refreshToken },
      });
      expect(refreshed.status).toBe(200);
      const second = refreshed.body as unknown as TokenPair;
      expect(second.refreshToken).not.toBe(first.refreshToken);
      expect((await me(second.accessToken)).status).toBe(200);

      // Someone replays the first refresh token (a stolen copy).
      const replay = await api('POST', '/api/v1/auth/refresh', {
        body: { refreshToken: first.refreshToken },
      });
      expect(replay.status).toBe(401);
      expect(String(replay.body.message)).toMatch(/already used/);
      // Everything of that session is dead now, the legitimate pair included.
      expect((await me(second.accessToken)).status).toBe(401);
      expect((await me(first.accessToken)).status).toBe(401);
      const next = await api('POST', '/api/v1/auth/refresh', {
        body: { refreshToken: second.refreshToken },
      });
      expect(next.status).toBe(401);
      // Another sign-in is unaffected.
      const other = await signIn('rotating', 'rotating-password');
      expect((await me(other.accessToken)).status).toBe(200);
    });

    it('lets exactly one of two concurrent refreshes with one token win', async () => {
      const pair = await signIn('rotating', 'rotating-password');
      const replies = await Promise.all(
        [1, 2].map(() =>
          api('POST', '/api/v1/auth/refresh', { body: { refreshToken: pair.refreshToken } }),
        ),
      );
      expect(replies.map((reply) => reply.status).sort()).toEqual([200, 401]);
    });

    it('refuses made-up and malformed refresh tokens with 401 or 400, never 500', async () => {
      for (const refreshToken of ['lr_nope', 'garbage', `lr_${'a'.repeat(43)}`]) {
        const reply = await api('POST', '/api/v1/auth/refresh', { body: { refreshToken } });
        expect(reply.status).toBe(401);
      }
      expect((await api('POST', '/api/v1/auth/refresh', { body: {} })).status).toBe(400);
      expect(
        (await api('POST', '/api/v1/auth/refresh', { body: { refreshToken: 'x'.repeat(500) } }))
          .status,
      ).toBe(400);
    });

    it('logs out: the session’s access and refresh tokens stop working at once', async () => {
      const pair = await signIn('rotating', 'rotating-password');
      expect((await me(pair.accessToken)).status).toBe(200);
      const out = await api('POST', '/api/v1/auth/logout', {
        body: { refreshToken: pair.refreshToken },
      });
      expect(out.status).toBe(204);
      expect((await me(pair.accessToken)).status).toBe(401);
      const refresh = await api('POST', '/api/v1/auth/refresh', {
        body: { refreshToken: pair.refreshToken },
      });
      expect(refresh.status).toBe(401);
      // An unknown token: 204 all the same (nothing to learn from it).
      const unknown = await api('POST', '/api/v1/auth/logout', {
        body: { refreshToken: `lr_${'b'.repeat(43)}` },
      });
      expect(unknown.status).toBe(204);
    });

    it('refuses access tokens without a session (forged claims with the right key are not enough)', async () => {
      const { JwtService } = await import('@nestjs/jwt');
      const jwt = system.api.get(JwtService, { strict: false });
      const claims = JSON.parse(Buffer.from(admin.split('.')[1], 'base64url').toString()) as {
        sub: string;
      };
      const withoutSession = jwt.sign({ sub: claims.sub, username: 'admin', role: 'admin' });
      expect((await me(withoutSession)).status).toBe(401);
      const unknownSession = jwt.sign({
        sub: claims.sub,
        username: 'admin',
        role: 'admin',
        sid: '00000000-0000-4000-8000-000000000000',
      });
      expect((await me(unknownSession)).status).toBe(401);
    });
  });

  describe('passwords', () => {
    it('changes your own password with the current one; your other sessions end', async () => {
      await createUser('changer', 'editor', 'first-password');
      const here = await signIn('changer', 'first-password');
      const elsewhere = await signIn('changer', 'first-password');
      const wrong = await api('POST', '/api/v1/auth/password', {
        token: here.accessToken,
        body: { currentPassword: 'not-it', newPassword: 'second-password' },
      });
      expect(wrong.status).toBe(401);
      const short = await api('POST', '/api/v1/auth/password', {
        token: here.accessToken,
        body: { currentPassword: 'first-password', newPassword: 'short' },
      });
      expect(short.status).toBe(400);
      const changed = await api('POST', '/api/v1/auth/password', {
        token: here.accessToken,
        body: { currentPassword: 'first-password', newPassword: 'second-password' },
      });
      expect(changed.status).toBe(204);
      expect((await me(here.accessToken)).status).toBe(200);
      expect((await me(elsewhere.accessToken)).status).toBe(401);
      expect((await login('changer', 'first-password')).status).toBe(401);
      expect((await login('changer', 'second-password')).status).toBe(200);
    });

    it('refuses a password change with an API key', async () => {
      const key = await system.createApiKey(admin, 'no passwords');
      const response = await fetch(`${system.baseUrl}/api/v1/auth/password`, {
        method: 'POST',
        headers: { 'x-api-key': key, 'content-type': 'application/json' },
        body: JSON.stringify({ currentPassword: 'whatever1', newPassword: 'whatever2' }),
      });
      expect(response.status).toBe(403);
    });

    it('lets an admin reset a password: the user’s sessions end', async () => {
      const id = await createUser('forgetful', 'viewer');
      const pair = await signIn('forgetful', 'forgetful-password');
      const reset = await api('PUT', `/api/v1/users/${id}/password`, {
        token: admin,
        body: { password: 'brand-new-password' },
      });
      expect(reset.status).toBe(204);
      expect((await me(pair.accessToken)).status).toBe(401);
      expect((await login('forgetful', 'forgetful-password')).status).toBe(401);
      expect((await login('forgetful', 'brand-new-password')).status).toBe(200);
    });

    it('stores argon2id hashes, and upgrades an old scrypt hash at the next sign-in', async () => {
      const salt = randomBytes(16);
      const legacy = [
        'scrypt',
        16384,
        8,
        1,
        salt.toString('base64'),
        scryptSync('legacy-password', salt, 64, { N: 16384, r: 8, p: 1 }).toString('base64'),
      ].join('$');
      await dataSource.query(
        `INSERT INTO users (username, password_hash, role) VALUES ('legacy', $1, 'viewer')`,
        [legacy],
      );
      const hashOf = async () =>
        (
          (await dataSource.query(`SELECT password_hash FROM users WHERE username = 'legacy'`)) as {
            password_hash: string;
          }[]
        )[0].password_hash;
      expect((await login('legacy', 'wrong-password')).status).toBe(401);
      expect(await hashOf()).toBe(legacy); // a failed sign-in changes nothing
      expect((await login('legacy', 'legacy-password')).status).toBe(200);
      expect(await hashOf()).toMatch(/^\$argon2id\$/);
      expect((await login('legacy', 'legacy-password')).status).toBe(200);
      const all: { password_hash: string }[] = await dataSource.query(
        `SELECT password_hash FROM users`,
      );
      expect(all.every((row) => row.password_hash.startsWith('$argon2id$'))).toBe(true);
    });
  });

  describe('sign-in lockout', () => {
    it('locks a username after 5 failures, whatever the address; an admin reset lifts it', async () => {
      const id = await createUser('target', 'viewer', 'target-password');
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++) {
        statuses.push((await login('target', `guess-${i}`, `198.51.100.${i + 1}`)).status);
      }
      expect(statuses).toEqual([401, 401, 401, 401, 429]);
      // Locked: even the right password is refused, with Retry-After, from anywhere.
      const locked = await login('target', 'target-password', '198.51.100.99');
      expect(locked.status).toBe(429);
      expect(locked.body).toMatchObject({ statusCode: 429, error: 'Too Many Requests' });
      const retryAfter = Number(locked.headers.get('retry-after'));
      expect(retryAfter).toBeGreaterThan(800);
      expect(retryAfter).toBeLessThanOrEqual(900);
      // Other users are not affected.
      expect((await login('admin', testEnv.env.ADMIN_PASSWORD, '198.51.100.99')).status).toBe(200);

      const reset = await api('PUT', `/api/v1/users/${id}/password`, {
        token: admin,
        body: { password: 'target-password-2' },
      });
      expect(reset.status).toBe(204);
      expect((await login('target', 'target-password-2')).status).toBe(200);
    });

    it('locks an address after 30 failures, whatever the usernames', async () => {
      const ip = '203.0.113.7';
      for (let i = 0; i < 29; i++) {
        expect((await login(`nobody-${i}`, 'x-password', ip)).status).toBe(401);
      }
      expect((await login('nobody-29', 'x-password', ip)).status).toBe(429);
      expect((await login('admin', testEnv.env.ADMIN_PASSWORD, ip)).status).toBe(429);
      expect((await login('admin', testEnv.env.ADMIN_PASSWORD, '203.0.113.8')).status).toBe(200);
    });

    it('keeps its counters in Redis under the installation prefix', async () => {
      const { default: Redis } = await import('ioredis');
      const redis = new Redis(testEnv.env.REDIS_URL);
      try {
        const keys = await redis.keys(`${testEnv.redisPrefix}:login-lock:*`);
        expect(keys).toContain(`${testEnv.redisPrefix}:login-lock:ip:203.0.113.7`);
      } finally {
        redis.disconnect();
      }
    });
  });

  describe('users', () => {
    it('creates, lists, renames, re-roles and deletes users; viewers and editors may not', async () => {
      const id = await createUser('carol', 'viewer');
      const duplicate = await api('POST', '/api/v1/users', {
        token: admin,
        body: { username: 'carol', password: 'another-password', role: 'viewer' },
      });
      expect(duplicate.status).toBe(409);
      const invalid = await api('POST', '/api/v1/users', {
        token: admin,
        body: { username: 'bad name', password: 'short', role: 'boss' },
      });
      expect(invalid.status).toBe(400);
      expect(String(invalid.body.message)).toMatch(/username/);

      const carol = (await signIn('carol', 'carol-password')).accessToken;
      expect((await api('GET', '/api/v1/users', { token: carol })).status).toBe(403);
      expect((await api('POST', '/api/v1/sources', { token: carol, body: {} })).status).toBe(403);

      const list = await fetch(`${system.baseUrl}/api/v1/users`, {
        headers: { authorization: `Bearer ${admin}` },
      });
      const users = (await list.json()) as { username: string; passwordHash?: string }[];
      expect(users.map((user) => user.username)).toContain('carol');
      expect(JSON.stringify(users)).not.toMatch(/argon2|scrypt|password_hash|passwordHash/);

      // A new role applies to the very next request of the same token.
      const promoted = await api('PATCH', `/api/v1/users/${id}`, {
        token: admin,
        body: { role: 'editor', username: 'carol2' },
      });
      expect(promoted.status).toBe(200);
      expect(promoted.body).toMatchObject({ username: 'carol2', role: 'editor' });
      expect((await me(carol)).body).toMatchObject({ username: 'carol2', role: 'editor' });
      const asEditor = await api('POST', '/api/v1/sources', { token: carol, body: {} });
      expect(asEditor.status).toBe(400); // past the guard: the body is what is wrong now
      expect((await api('GET', '/api/v1/users', { token: carol })).status).toBe(403);

      expect((await api('DELETE', `/api/v1/users/${id}`, { token: admin })).status).toBe(204);
      expect((await me(carol)).status).toBe(401);
      expect((await api('GET', `/api/v1/users/${id}`, { token: admin })).status).toBe(404);
    });

    it('keeps at least one admin and refuses to delete yourself', async () => {
      const self = String((await me(admin)).body.id);
      expect((await api('DELETE', `/api/v1/users/${self}`, { token: admin })).status).toBe(403);
      const demote = await api('PATCH', `/api/v1/users/${self}`, {
        token: admin,
        body: { role: 'viewer' },
      });
      expect(demote.status).toBe(409);
      const second = await createUser('second-admin', 'admin');
      const secondToken = (await signIn('second-admin', 'second-admin-password')).accessToken;
      expect(
        (
          await api('PATCH', `/api/v1/users/${self}`, {
            token: secondToken,
            body: { role: 'editor' },
          })
        ).status,
      ).toBe(200);
      // Now `second-admin` is the last admin.
      expect(
        (
          await api('PATCH', `/api/v1/users/${second}`, {
            token: secondToken,
            body: { role: 'viewer' },
          })
        ).status,
      ).toBe(409);
      expect(
        (
          await api('PATCH', `/api/v1/users/${self}`, {
            token: secondToken,
            body: { role: 'admin' },
          })
        ).status,
      ).toBe(200);
    });

    it('records every user and API key change in the audit log, without secrets', async () => {
      const key = await api('POST', '/api/v1/api-keys', {
        token: admin,
        body: { name: 'audited', scopes: ['read'] },
      });
      expect(key.status).toBe(201);
      const keyId = String(key.body.id);
      expect((await api('POST', `/api/v1/api-keys/${keyId}/revoke`, { token: admin })).status).toBe(
        200,
      );
      const entries = await fetch(`${system.baseUrl}/api/v1/audit?limit=1000`, {
        headers: { authorization: `Bearer ${admin}` },
      });
      const audit = (await entries.json()) as {
        action: string;
        entityType: string;
        entityId: string;
        actor: { name: string; kind: string };
        before: unknown;
        after: unknown;
      }[];
      const actions = (type: string) =>
        new Set(audit.filter((entry) => entry.entityType === type).map((entry) => entry.action));
      expect([...actions('user')].sort()).toEqual(
        ['change-password', 'create', 'delete', 'reset-password', 'update'].sort(),
      );
      const keyEntries = audit.filter((entry) => entry.entityId === keyId);
      expect(keyEntries.map((entry) => entry.action).sort()).toEqual(['create', 'revoke']);
      expect(keyEntries.find((entry) => entry.action === 'create')?.after).toMatchObject({
        name: 'audited',
        scopes: ['read'],
        source: null,
      });
      const update = audit.find(
        (entry) =>
          entry.action === 'update' && (entry.before as { username?: string }).username === 'carol',
      );
      expect(update?.before).toMatchObject({ username: 'carol', role: 'viewer' });
      expect(update?.after).toMatchObject({ username: 'carol2', role: 'editor' });
      expect(update?.actor).toMatchObject({ kind: 'user', name: 'admin' });
      const text = JSON.stringify(audit);
      expect(text).not.toMatch(/argon2|scrypt|lk_[A-Za-z0-9]{40}|password-2|brand-new-password/);
      expect(text).not.toContain(String(key.body.key));
    });
  });

  it('gives API keys that existed before scopes the ingest and read scopes (migration)', async () => {
    const runner = dataSource.createQueryRunner();
    try {
      const migration = new SecurityHardening1763840000000();
      await runner.query(`DELETE FROM api_keys`);
      await migration.down(runner);
      await runner.query(
        `INSERT INTO api_keys (name, prefix, key_hash) VALUES ('old key', 'lk_old', 'hash-of-old-key')`,
      );
      await migration.up(runner);
      const rows: { scopes: string[]; source: string | null }[] = await runner.query(
        `SELECT scopes, source FROM api_keys WHERE name = 'old key'`,
      );
      expect(rows).toEqual([{ scopes: ['ingest', 'read'], source: null }]);
      // New keys must state their scopes (no default left behind).
      await expect(
        runner.query(`INSERT INTO api_keys (name, prefix, key_hash) VALUES ('new', 'lk_n', 'h2')`),
      ).rejects.toThrow(/scopes/);
      await expect(
        runner.query(
          `INSERT INTO api_keys (name, prefix, key_hash, scopes) VALUES ('bad', 'lk_b', 'h3', '{root}')`,
        ),
      ).rejects.toThrow(/check constraint/);
    } finally {
      await runner.release();
    }
  });
});
