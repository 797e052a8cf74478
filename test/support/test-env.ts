import { Client } from 'pg';
import Redis from 'ioredis';
import { randomBytes } from 'node:crypto';

const SERVER_URL = process.env.TEST_DATABASE_SERVER ?? 'postgres://postgres@127.0.0.1:5432';
const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export interface TestEnv {
  /** Environment for ConfigModule.forRoot / createApiApp / createWorkerApp. */
  env: Record<string, string>;
  databaseUrl: string;
  redisPrefix: string;
  /** Drops the database and deletes every Redis key under the prefix. */
  cleanup(): Promise<void>;
}

/**
 * A private database and Redis key prefix for one test file, so files can run in parallel and leave
 * nothing behind. The database is created by the app itself on first start, as in production.
 */
export function createTestEnv(name: string, overrides: Record<string, string> = {}): TestEnv {
  const id = `${name.replace(/[^a-z0-9]/gi, '_').toLowerCase()}_${randomBytes(4).toString('hex')}`;
  const database = `lookout_test_${id}`;
  const databaseUrl = `${SERVER_URL}/${database}`;
  const redisPrefix = `lookout-test-${id}`;
  return {
    databaseUrl,
    redisPrefix,
    env: {
      DATABASE_URL: databaseUrl,
      REDIS_URL: REDIS_URL,
      REDIS_PREFIX: redisPrefix,
      ADMIN_PASSWORD: 'test-admin-password',
      LOG_LEVEL: 'warn',
      // Test output stays readable (Nest's console lines instead of pino's JSON).
      LOG_FORMAT: 'text',
      BATCH_FLUSH_MS: '10',
      PORT: '0',
      SYSLOG_PORT: '0',
      // A worker's own /metrics stays off unless a test asks for it (parallel files would share 9464).
      WORKER_METRICS_PORT: '0',
      HOST: '127.0.0.1',
      ...overrides,
    },
    async cleanup() {
      const admin = new Client({ connectionString: `${SERVER_URL}/postgres` });
      await admin.connect();
      try {
        await admin.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
      } finally {
        await admin.end();
      }
      const redis = new Redis(REDIS_URL);
      try {
        let cursor = '0';
        do {
          const [next, keys] = await redis.scan(cursor, 'MATCH', `${redisPrefix}:*`, 'COUNT', 1000);
          if (keys.length > 0) await redis.del(...keys);
          cursor = next;
        } while (cursor !== '0');
      } finally {
        redis.disconnect();
      }
    },
  };
}

/** Polls `probe` until it returns a truthy value, or fails after `timeoutMs`. */
export async function waitFor<T>(
  probe: () => Promise<T>,
  what: string,
  timeoutMs = 20_000,
  everyMs = 25,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline)
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
