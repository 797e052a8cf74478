/* eslint-disable @typescript-eslint/no-require-imports */
/* global require, __dirname */
// `node -r ./test/support/register-ts.cjs apps/api/src/main.ts`: runs the TypeScript sources
// directly, compiled on load by swc with the options Jest uses and the @app/* paths of
// tsconfig.json. For tests that need real processes (a cluster) without building dist/. Processes
// forked by `cluster` inherit it (it is in their execArgv).
const Module = require('node:module');
const { readFileSync } = require('node:fs');
const { join } = require('node:path');
const { transformSync } = require('@swc/core');

const root = join(__dirname, '..', '..');
const { paths } = require(join(root, 'tsconfig.json')).compilerOptions;
const aliases = new Map(
  Object.entries(paths).map(([alias, [target]]) => [alias, join(root, target)]),
);

const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  return resolveFilename.call(this, aliases.get(request) ?? request, ...rest);
};

Module._extensions['.ts'] = (module, filename) => {
  const { code } = transformSync(readFileSync(filename, 'utf8'), {
    filename,
    swcrc: false,
    sourceMaps: 'inline',
    jsc: {
      target: 'es2022',
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      keepClassNames: true,
    },
    module: { type: 'commonjs' },
  });
  module._compile(code, filename);
};
