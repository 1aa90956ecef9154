const JsdomEnvironment = require('jest-preset-angular/environments/jest-jsdom-env').default;

/**
 * A browser-like page (jsdom) that also reaches the network the way Node does: the
 * zone.js app specs bootstrap a real application in the page and talk to a real
 * demo-server, so they need Node's fetch (with its own AbortController, which
 * Node's fetch insists on) and the timer functions `ws` and express use.
 */
class JsdomWithNodeNetwork extends JsdomEnvironment {
  constructor(config, context) {
    super(config, context);
    const node = globalThis;
    for (const name of [
      'fetch',
      'Headers',
      'Request',
      'Response',
      'FormData',
      'ReadableStream',
      'WritableStream',
      'TransformStream',
      'AbortController',
      'AbortSignal',
      'TextEncoder',
      'TextDecoder',
      'structuredClone',
      'setImmediate',
      'clearImmediate',
    ]) {
      this.global[name] = node[name];
    }
  }
}

module.exports = JsdomWithNodeNetwork;
