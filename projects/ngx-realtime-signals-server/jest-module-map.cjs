const path = require('node:path');

/**
 * For Jest projects that load the server package from its TypeScript sources
 * (no build needed): the package name maps to src/index.ts, and the sources'
 * ESM-style `./x.js` imports to the `.ts` files.
 */
module.exports = {
  '^ngx-realtime-signals-server$': path.join(__dirname, 'src/index.ts'),
  '^ngx-realtime-signals-server/token$': path.join(__dirname, 'src/auth/mint-token.ts'),
  '^(\\.{1,2}/.*)\\.js$': '$1',
};
