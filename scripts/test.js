#!/usr/bin/env node
// The whole test suite, as README and CI run it (`npm test`):
//   1. type-check the server and the dashboard, and build the dashboard (the api serves it);
//   2. every Jest test: unit, integration (real Postgres and Redis) and end-to-end;
//   3. one closing line `tests: N passed, N failed, N skipped` (each step of 1 counts as one test).
// Extra arguments go to Jest (e.g. `npm test -- libs/parsing`).
const { spawnSync } = require('node:child_process');
const { mkdtempSync, readFileSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

const root = join(__dirname, '..');
const bin = (name) => join(root, 'node_modules', '.bin', name);
let passed = 0;
let failed = 0;
let skipped = 0;

function step(title, command, args) {
  process.stdout.write(`\n== ${title}\n`);
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit' });
  if (result.status === 0) passed++;
  else {
    failed++;
    process.stdout.write(`FAILED: ${title}\n`);
  }
}

step('lint', bin('eslint'), ['.']);
step('type-check server', bin('tsc'), ['-p', 'tsconfig.json', '--noEmit']);
step('type-check dashboard', bin('tsc'), ['-p', 'frontend/tsconfig.json']);
step('build dashboard', bin('vite'), [
  'build',
  '--config',
  'frontend/vite.config.mts',
  '--logLevel',
  'warn',
]);

const outDir = mkdtempSync(join(tmpdir(), 'lookout-jest-'));
const outputFile = join(outDir, 'results.json');
process.stdout.write('\n== jest\n');
// forceExit: a test must not hang CI because a library left a timer running after close().
const jest = spawnSync(
  bin('jest'),
  [
    '--ci',
    '--forceExit',
    '--maxWorkers=2',
    '--json',
    `--outputFile=${outputFile}`,
    ...process.argv.slice(2),
  ],
  { cwd: root, stdio: 'inherit' },
);
try {
  const results = JSON.parse(readFileSync(outputFile, 'utf8'));
  passed += results.numPassedTests;
  failed += results.numFailedTests + results.numRuntimeErrorTestSuites;
  skipped += results.numPendingTests + results.numTodoTests;
} catch {
  failed++;
  process.stdout.write(`Jest wrote no results (exit ${jest.status})\n`);
}
rmSync(outDir, { recursive: true, force: true });

console.log(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 || jest.status !== 0 ? 1 : 0);
