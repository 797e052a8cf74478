#!/usr/bin/env node
// `npm run bench:scale`: HTTP ingest throughput with 1, 2 and 3 worker processes (one api), each
// run on a fresh database through bench/run.js (BENCH_ONLY=http). Writes
// bench/results/scale-<timestamp>.json with lines/s, the COPY ceiling and CPU/RSS per process.
const { spawnSync } = require('node:child_process');
const { mkdirSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');

const counts = (process.env.BENCH_SCALE_WORKERS ?? '1,2,3').split(',').map(Number);
const runs = [];
for (const workers of counts) {
  console.log(`[scale] ${workers} worker(s)`);
  const run = spawnSync(process.execPath, [join(__dirname, 'run.js')], {
    env: { ...process.env, BENCH_ONLY: 'http', BENCH_WORKERS: String(workers) },
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  const report = /report: (\S+\.json)/.exec(run.stdout)?.[1];
  if (run.status !== 0 || !report) {
    console.error(run.stdout.slice(-4000), run.stderr.slice(-4000));
    throw new Error(`the run with ${workers} worker(s) failed`);
  }
  const result = JSON.parse(require('node:fs').readFileSync(report, 'utf8'));
  runs.push({
    workers,
    linesPerSecond: result.http.linesPerSecond,
    lost: result.http.lost,
    duplicated: result.http.duplicated,
    copyCeilingRowsPerSecond: result.copyCeiling.rowsPerSecond,
    ratioToCopyCeiling: result.http.ratioToCopyCeiling,
    processes: result.http.processes,
  });
  console.log(`[scale] ${workers} worker(s): ${result.http.linesPerSecond} lines/s`);
}
const at = new Date().toISOString();
const output = { benchmark: 'scale-out: HTTP ingest with 1..N workers', at, runs };
mkdirSync(join(__dirname, 'results'), { recursive: true });
const file = join(__dirname, 'results', `scale-${at.replace(/[:.]/g, '-')}.json`);
writeFileSync(file, JSON.stringify(output, null, 2) + '\n');
console.log(JSON.stringify(runs, null, 2));
console.log(`[scale] report: ${file}`);
