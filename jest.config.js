/**
 * One `jest` run covers every project in the workspace; each project keeps
 * its own environment (jsdom for Angular code, node for servers and sockets).
 */
module.exports = {
  // A global option: per-project values are ignored in a multi-project run. Socket
  // tests wait for real events on a shared, busy machine, so the default 5 s is too tight.
  testTimeout: 30000,
  projects: [
    ...require('./projects/ngx-realtime-signals/jest.config.js'),
    require('./demo-server/jest.config.js'),
    require('./projects/ngx-realtime-signals-server/jest.config.cjs'),
    require('./projects/ngx-realtime-signals/schematics/jest.config.js'),
  ],
};
