/** ng-add schematic tests: plain Node, compiled by ts-jest, against an in-memory Angular workspace. */
module.exports = {
  displayName: 'schematics',
  rootDir: __dirname,
  testEnvironment: 'node',
  testMatch: ['<rootDir>/**/*.spec.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.spec.json' }] },
  moduleNameMapper: { '^ora$': '<rootDir>/testing/ora-stub.js' },
  testTimeout: 60000,
};
