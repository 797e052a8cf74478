// Plain TypeScript types shared by the server and the dashboard. No Nest, no Node imports.
export * from './levels';
export * from './logs';
export * from './auth';
export * from './uploads';
export * from './analytics';
export * from './livetail';
export * from './alerts';
export * from './notifications';
export * from './alert-rules';
export * from './retention';
