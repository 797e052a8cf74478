#!/usr/bin/env node
// `npm start`: migrations, then the api and WORKERS worker processes (default 1), from the build in
// dist/. Output of each process is prefixed with its name; Ctrl-C stops all of them; if one dies,
// the others are stopped too and the exit code is passed on. With API_PROCESSES=N the api is a
// primary that runs N api processes on PORT itself (and replaces one that dies): still one `api`
// here. Worker i serves its /metrics on WORKER_METRICS_PORT + i - 1 (0 stays 0: none).
const { spawn, spawnSync } = require('node:child_process');
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');
const entry = (app) =>
  join(root, 'dist', 'apps', app, 'src', app === 'migrate' ? 'migrate.js' : 'main.js');

if (!existsSync(entry('api'))) {
  console.error(
    'No build found in dist/: run "npm run build" first (or "npm install && npm run build && npm start").',
  );
  process.exit(1);
}

const migrate = spawnSync(process.execPath, [join(root, 'dist/apps/api/src/migrate.js')], {
  stdio: 'inherit',
});
if (migrate.status !== 0) process.exit(migrate.status ?? 1);

const workers = Number(process.env.WORKERS ?? 1);
const children = [];
let stopping = false;

function run(name, file, env = process.env) {
  const child = spawn(process.execPath, [file], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env,
  });
  const prefix = (stream, out) => {
    let rest = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk) => {
      const lines = (rest + chunk).split('\n');
      rest = lines.pop();
      for (const line of lines) out.write(`${name} | ${line}\n`);
    });
  };
  prefix(child.stdout, process.stdout);
  prefix(child.stderr, process.stderr);
  child.on('exit', (code, signal) => {
    if (!stopping) {
      console.error(`${name} exited (${signal ?? code}); stopping the others`);
      stop(code ?? 1);
    }
  });
  children.push(child);
}

function stop(code) {
  stopping = true;
  for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
  // Longer than the api primary's own grace (15 s) for its processes.
  setTimeout(() => process.exit(code), 20_000).unref();
  Promise.all(
    children.map((child) => child.exitCode !== null || new Promise((r) => child.on('exit', r))),
  ).then(() => process.exit(code));
}

run('api', entry('api'));
const metricsPort = Number(process.env.WORKER_METRICS_PORT ?? 9464);
for (let i = 1; i <= workers; i++) {
  run(workers > 1 ? `worker-${i}` : 'worker', entry('worker'), {
    ...process.env,
    WORKER_METRICS_PORT: String(metricsPort === 0 ? 0 : metricsPort + i - 1),
  });
}
process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));
