// One Jest run for the whole suite: unit (*.spec.ts), integration (*.int-spec.ts, real Postgres and
// Redis) and end-to-end (test/*.e2e-spec.ts). Each integration/e2e file makes its own database
// and Redis key prefix (test/support), so files run in parallel.
const libs = [
  'config',
  'queue',
  'contracts',
  'ingestion',
  'parsing',
  'storage',
  'auth',
  'tailer',
  'livetail',
  'notifications',
  'alerting',
  'retention',
];

module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/apps', '<rootDir>/libs', '<rootDir>/test'],
  testMatch: ['**/*.spec.ts', '**/*.int-spec.ts', '**/*.e2e-spec.ts'],
  transform: {
    '^.+\\.(ts|js)$': [
      '@swc/jest',
      {
        swcrc: false,
        jsc: {
          target: 'es2022',
          parser: { syntax: 'typescript', decorators: true },
          transform: { legacyDecorator: true, decoratorMetadata: true },
          keepClassNames: true,
        },
        module: { type: 'commonjs' },
      },
    ],
  },
  // A few dependencies ship only ES modules, which Jest on Node 20 cannot require: compile them too.
  transformIgnorePatterns: ['/node_modules/(?!(content-disposition)/)'],
  moduleNameMapper: {
    ...Object.fromEntries(libs.map((lib) => [`^@app/${lib}$`, `<rootDir>/libs/${lib}/src`])),
    '^@app/migrations$': '<rootDir>/migrations',
    '^@app/testing$': '<rootDir>/test/support',
  },
  testTimeout: 60_000,
};
