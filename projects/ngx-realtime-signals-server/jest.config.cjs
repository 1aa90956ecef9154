/** ngx-realtime-signals-server: unit tests and tests over real sockets, node environment. */
module.exports = {
  displayName: 'server-pkg',
  rootDir: __dirname,
  testEnvironment: 'node',
  testMatch: ['<rootDir>/test/**/*.spec.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.spec.json' }],
    // jose ships ESM only; Node loads it natively, Jest's module system needs it as CommonJS.
    '/node_modules/jose/.+\\.js$': ['ts-jest', { tsconfig: { allowJs: true, module: 'commonjs', target: 'ES2022', isolatedModules: true } }],
  },
  transformIgnorePatterns: ['/node_modules/(?!jose/)'],
  moduleNameMapper: require('./jest-module-map.cjs'),
  testTimeout: 20000,
};
