#!/usr/bin/env node
// Re-imports retention archives into `logs` (checksum verified, idempotent):
//   npm run archive:import -- <manifest.json | archive directory> ... [--verify-only] [--database-url URL]
// Runs the built code: `npm run build` first.
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const cli = join(__dirname, '..', 'dist', 'libs', 'retention', 'src', 'archive-cli.js');
if (!existsSync(cli)) {
  console.error('Lookout is not built: run "npm run build" first.');
  process.exit(2);
}
require(cli)
  .main(process.argv.slice(2))
  .then((code) => process.exit(code))
  .catch((error) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
