const { createCjsPreset } = require('jest-preset-angular/presets');
const path = require('node:path');

const root = path.resolve(__dirname, '../..');
const preset = createCjsPreset({ tsconfig: path.join(root, 'tsconfig.spec.json') });

const moduleNameMapper = {
  '^ngx-realtime-signals$': '<rootDir>/src/public-api.ts',
  '^ngx-realtime-signals/(testing|ui)$': '<rootDir>/$1/src/public-api.ts',
  // Integration specs start the real demo-server through this alias (tsconfig.spec.json `paths`).
  '^@demo-server/(.*)$': '<rootDir>/../../demo-server/$1',
  // The in-process demo-server runs on the server package's sources.
  ...require('../ngx-realtime-signals-server/jest-module-map.cjs'),
};

/** The library: unit tests (jsdom) and integration tests against the real demo-server (node). */
module.exports = [
  {
    ...preset,
    displayName: 'lib',
    rootDir: __dirname,
    testEnvironment: 'jest-preset-angular/environments/jest-jsdom-env',
    setupFilesAfterEnv: ['<rootDir>/setup-jest.ts'],
    testMatch: ['<rootDir>/{src,testing,ui}/**/*.spec.ts'],
    testPathIgnorePatterns: ['\\.int\\.spec\\.ts$'],
    moduleNameMapper,
  },
  {
    ...preset,
    displayName: 'lib-integration',
    rootDir: __dirname,
    testEnvironment: 'node',
    setupFilesAfterEnv: ['<rootDir>/setup-jest.ts'],
    testMatch: ['<rootDir>/{src,testing}/**/*.int.spec.ts'],
    testPathIgnorePatterns: ['\\.zone\\.int\\.spec\\.ts$'],
    // The in-process demo-server loads jose (ESM only) when AUTH_SECRET is set; Jest needs it as CommonJS.
    transform: {
      '/node_modules/jose/.+\\.js$': ['ts-jest', { tsconfig: { allowJs: true, module: 'commonjs', target: 'ES2022', isolatedModules: true } }],
      ...preset.transform,
    },
    transformIgnorePatterns: ['node_modules/(?!(.*\\.mjs$|jose/|@angular/common/locales/.*\\.js$))'],
    moduleNameMapper,
    testTimeout: 30000,
  },
  {
    ...preset,
    displayName: 'lib-zone',
    rootDir: __dirname,
    // A zone.js application in a page (jsdom) that reaches a real demo-server with Node's fetch and `ws`.
    testEnvironment: '<rootDir>/jest-zone-env.js',
    testEnvironmentOptions: { customExportConditions: ['node', 'node-addons'] },
    setupFilesAfterEnv: ['<rootDir>/setup-jest-zone.ts'],
    testMatch: ['<rootDir>/src/**/*.zone.int.spec.ts'],
    transform: {
      '/node_modules/jose/.+\\.js$': ['ts-jest', { tsconfig: { allowJs: true, module: 'commonjs', target: 'ES2022', isolatedModules: true } }],
      ...preset.transform,
    },
    transformIgnorePatterns: ['node_modules/(?!(.*\\.mjs$|jose/|@angular/common/locales/.*\\.js$))'],
    moduleNameMapper,
    testTimeout: 30000,
  },
];
