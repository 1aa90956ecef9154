/**
 * One `jest` run covers every project in the workspace; each project keeps
 * its own environment (jsdom for Angular code, node for servers and sockets).
 */
module.exports = {
  projects: [
    ...require('./projects/ngx-realtime-signals/jest.config.js'),
    require('./demo-server/jest.config.js'),
    require('./projects/ngx-realtime-signals/schematics/jest.config.js'),
  ],
};
