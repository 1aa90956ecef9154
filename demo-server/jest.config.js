/** demo-server: unit and integration tests over real sockets, node environment. */
module.exports = {
  displayName: 'demo-server',
  rootDir: __dirname,
  testEnvironment: 'node',
  testMatch: ['<rootDir>/test/**/*.spec.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.spec.json' }],
    // jose ships ESM only; Node loads it natively, Jest's module system needs it as CommonJS.
    '/node_modules/jose/.+\\.js$': ['ts-jest', { tsconfig: { allowJs: true, module: 'commonjs', target: 'ES2022', isolatedModules: true } }],
  },
  transformIgnorePatterns: ['/node_modules/(?!jose/)'],
  // The server package from its sources, so these tests need no build.
  moduleNameMapper: require('../projects/ngx-realtime-signals-server/jest-module-map.cjs'),
  testTimeout: 20000,
  setupFilesAfterEnv: ['<rootDir>/test/support/test-timeout.ts'],
};
