/** demo-server: unit and integration tests over real sockets, node environment. */
module.exports = {
  displayName: 'demo-server',
  rootDir: __dirname,
  testEnvironment: 'node',
  testMatch: ['<rootDir>/test/**/*.spec.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.spec.json' }],
  },
  testTimeout: 20000,
  setupFilesAfterEnv: ['<rootDir>/test/support/test-timeout.ts'],
};
