'use strict';
// Preloaded into the demo-server child (node --expose-gc -r memory-probe.cjs): answers memory questions
// over the IPC channel, so the server is measured alone and the server code stays untouched.
// When the benchmark process goes away (even by a crash) the channel closes and the server exits with it.
if (process.send) {
  process.on('message', (message) => {
    if (!message || message.type !== 'memory') return;
    if (message.gc === true && typeof global.gc === 'function') {
      // Two passes: the first may only move objects to the old generation.
      global.gc();
      global.gc();
    }
    const usage = process.memoryUsage();
    // the process's own CPU time (user + system, µs): finer than the 10 ms ticks of /proc/<pid>/stat
    process.send({ type: 'memory', id: message.id, usage, cpu: process.cpuUsage() });
  });
  process.on('disconnect', () => process.exit(0));
  // The channel must not keep the server alive on its own (SIGTERM still ends it normally).
  process.channel.unref();
}
