const { createCjsPreset } = require('jest-preset-angular/presets');
const path = require('node:path');

/** The ops tooling's own parts (what the chaos and soak tools measure with), in Node. */
module.exports = {
  ...createCjsPreset({ tsconfig: path.join(__dirname, '../tsconfig.spec.json') }),
  displayName: 'ops',
  rootDir: __dirname,
  testEnvironment: 'node',
  testMatch: ['<rootDir>/**/*.spec.mjs'],
};
