/**
 * One jest run shares one Temporal dev server, one PostgreSQL and one workflow bundle (see
 * test/helpers/globalSetup.ts); time-skipping tests start their own test server per file.
 */
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' } }], '^.+\\.m?js$': ['@swc/jest', { jsc: { target: 'es2022' }, module: { type: 'commonjs' } }] },
  // A few of the server's dependencies ship only ES modules, which jest's module loader cannot
  // require on Node 20; swc turns them into CommonJS (plain Node loads them as they are).
  transformIgnorePatterns: ['/node_modules/(?!(content-disposition|cookie|@apidevtools/json-schema-ref-parser|email-reply-parser)/)'],
  globalSetup: '<rootDir>/test/helpers/globalSetup.ts',
  globalTeardown: '<rootDir>/test/helpers/globalTeardown.ts',
  testTimeout: 120_000,
  maxWorkers: 2,
  // The Temporal native bridge can keep the event loop alive after the last test.
  forceExit: true,
};
