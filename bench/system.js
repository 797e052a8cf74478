// Starts a fresh Lookout (api + worker from dist/) for a benchmark: builds, drops and recreates its
// database, waits for /health, signs in as admin. Used by bench/search.js and bench/livetail.js.
const { spawn, spawnSync } = require('node:child_process');
const { join } = require('node:path');
const { Client } = require('pg');
const Redis = require('ioredis');

const root = join(__dirname, '..');
const SERVER = process.env.BENCH_DATABASE_SERVER ?? 'postgres://postgres@127.0.0.1:5432';
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** `name` names the database (lookout_<name>) and Redis prefix; returns what a benchmark needs. */
async function startLookout({ name, port }) {
  spawnSync('npm', ['run', 'build:server'], { cwd: root, stdio: 'inherit' });
  const database = `lookout_${name.replace(/-/g, '_')}`;
  const admin = new Client({ connectionString: `${SERVER}/postgres` });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  await admin.end();
  // Refuse a busy port: a benchmark must never talk to someone else's Lookout.
  const busy = await fetch(`http://127.0.0.1:${port}/health`).then(
    () => true,
    () => false,
  );
  if (busy) throw new Error(`port ${port} is already serving something: stop it or pick another`);
  // A fresh Redis prefix too: jobs left from an earlier run must not meet this run's ids.
  const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  const stale = await redis.keys(`lookout-${name}:*`);
  for (let i = 0; i < stale.length; i += 500) await redis.del(...stale.slice(i, i + 500));
  redis.disconnect();
  const env = {
    ...process.env,
    PORT: String(port),
    SYSLOG_PORT: '0',
    DATABASE_URL: `${SERVER}/${database}`,
    REDIS_PREFIX: `lookout-${name}`,
    ADMIN_PASSWORD: 'bench-password',
    LOG_LEVEL: 'warn',
  };
  const start = (app) =>
    spawn(process.execPath, [join(root, `dist/apps/${app}/src/main.js`)], {
      env,
      stdio: 'inherit',
    });
  const children = [start('api')];
  await sleep(500); // the api creates and migrates the database; the worker then finds it ready
  children.push(start('worker'));
  const baseUrl = `http://127.0.0.1:${port}`;
  const healthy = () =>
    fetch(`${baseUrl}/health`).then(
      (response) => response.ok,
      () => false,
    );
  for (let i = 0; !(await healthy()); i++) {
    if (i > 300) throw new Error('the api did not become healthy in 30 s');
    await sleep(100);
  }
  const login = await fetch(`${baseUrl}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password: 'bench-password' }),
  });
  const { accessToken } = await login.json();
  return {
    baseUrl,
    databaseUrl: env.DATABASE_URL,
    accessToken,
    stop: () => children.forEach((child) => child.kill('SIGTERM')),
  };
}

module.exports = { startLookout, sleep };
