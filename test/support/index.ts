export { createTestEnv, waitFor, type TestEnv } from './test-env';
export { startSystem, type TestSystem } from './system';
export * from './api-cluster';
