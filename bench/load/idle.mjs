// Scenario 1: idle connection capacity and memory. N streams (or chat members) stay open doing nothing
// but heartbeats; the figures are what each one costs the server.
import { openSseStreams } from './sse-clients.mjs';
import { openChatMembers } from './ws-clients.mjs';
import { startServer } from './server-child.mjs';
import { now, round, sleep, waitFor } from './stats.mjs';

const HEARTBEAT_MS = 5000;
const ROOMS = 10;

async function baseline(server, warmUp) {
  // A few connections first, so code paths that load lazily are not billed to the measured ones.
  await warmUp();
  const cpuBefore = server.cpuMs();
  await sleep(3000);
  const idleCpuPercent = round(((server.cpuMs() - cpuBefore) / 3000) * 100);
  const memory = await server.memoryAfterGc();
  return { rss: server.rssBytes(), heapUsed: memory.heapUsed, idleCpuPercent };
}

/**
 * Holds the connections idle for two more heartbeat intervals (until `allHadThree` holds) and reports what
 * the server spends meanwhile: heartbeats and timers only.
 */
async function holdIdle(server, allHadThree) {
  const cpuBefore = server.cpuMs();
  const started = now();
  await waitFor(allHadThree, 'three heartbeats on every connection', HEARTBEAT_MS * 6, 100);
  const heldMs = now() - started;
  return { idleHeldMs: round(heldMs), idleServerCpuPercent: round(((server.cpuMs() - cpuBefore) / heldMs) * 100) };
}

function perConnection(before, after, count) {
  return {
    idleServerCpuPercentWithoutConnections: before.idleCpuPercent,
    rssBefore: before.rss,
    rssAfter: after.rss,
    rssBytesPerConnection: Math.round((after.rss - before.rss) / count),
    heapBytesPerConnection: Math.round((after.heapUsed - before.heapUsed) / count),
  };
}

/** 10,000 SSE streams on one topic; every stream must receive its head, `retry:` and a `: ping`. */
export async function idleSse({ count }) {
  const server = await startServer({ SSE_HEARTBEAT_MS: String(HEARTBEAT_MS) });
  const streams = [];
  try {
    const before = await baseline(server, async () => {
      const warm = await openSseStreams(server.url, 'idle', 20);
      for (const stream of warm) stream.close();
    });
    const cpuBefore = server.cpuMs();
    const started = now();
    streams.push(...(await openSseStreams(server.url, 'idle', count)));
    const openMs = now() - started;
    const cpuOpenMs = server.cpuMs() - cpuBefore;
    // Each stream's timer starts when it opens, so one heartbeat interval after the last open every stream has one.
    await waitFor(() => streams.every((s) => s.pings > 0 || s.closed), 'a heartbeat on every stream', HEARTBEAT_MS * 4, 100);
    const withHeartbeat = streams.filter((s) => s.pings > 0 && !s.closed).length;
    const health = await server.health();
    const memory = await server.memoryAfterGc();
    const after = { rss: server.rssBytes(), heapUsed: memory.heapUsed };
    const hold = await holdIdle(server, () => streams.every((s) => s.pings >= 3 || s.closed));
    return {
      transport: 'sse',
      count,
      openMs: round(openMs),
      opensPerSecond: Math.round(count / (openMs / 1000)),
      serverCpuMsWhileOpening: round(cpuOpenMs),
      withHeartbeat,
      ...hold,
      closedEarly: streams.filter((s) => s.closed).length,
      serverCounts: health.connections,
      ...perConnection(before, after, count),
      peakRss: server.peakRssBytes(),
    };
  } finally {
    for (const stream of streams) stream.close();
    await server.stop();
  }
}

/** 10,000 chat connections, each joined to one of ten rooms; each must get `welcome`, `joined` and a ping. */
export async function idleWebSocket({ count }) {
  const server = await startServer({ WS_HEARTBEAT_MS: String(HEARTBEAT_MS) });
  const members = [];
  try {
    const before = await baseline(server, async () => {
      const warm = await openChatMembers(server.url, 20, { prefix: 'warm' });
      for (const member of warm) member.send({ type: 'join', room: `idle-${ROOMS}` });
      await waitFor(() => warm.every((m) => m.joined), 'warm-up joins', 10_000);
      for (const member of warm) member.close();
    });
    const cpuBefore = server.cpuMs();
    const started = now();
    members.push(...(await openChatMembers(server.url, count, { prefix: 'idle' })));
    members.forEach((member, i) => {
      member.pings = 0;
      member.socket.on('ping', () => member.pings++);
      member.expectedCount = Math.floor((count - 1 - (i % ROOMS)) / ROOMS) + 1;
      member.send({ type: 'join', room: `idle-${i % ROOMS}` });
    });
    await waitFor(() => members.every((m) => m.joined || m.closed), 'every member joined', 120_000, 50);
    const openMs = now() - started;
    const cpuOpenMs = server.cpuMs() - cpuBefore;
    // Presence of the filling rooms is still being coalesced; let it settle before measuring.
    await waitFor(() => members.every((m) => m.count === m.expectedCount || m.closed), 'rooms settled', 60_000, 100);
    await waitFor(() => members.every((m) => m.pings > 0 || m.closed), 'a ping on every socket', HEARTBEAT_MS * 4, 100);
    const health = await server.health();
    const memory = await server.memoryAfterGc();
    const after = { rss: server.rssBytes(), heapUsed: memory.heapUsed };
    const hold = await holdIdle(server, () => members.every((m) => m.pings >= 3 || m.closed));
    return {
      transport: 'websocket',
      count,
      rooms: ROOMS,
      openMs: round(openMs),
      opensPerSecond: Math.round(count / (openMs / 1000)),
      serverCpuMsWhileOpening: round(cpuOpenMs),
      withWelcome: members.filter((m) => m.welcome && !m.closed).length,
      withJoined: members.filter((m) => m.joined && !m.closed).length,
      withHeartbeat: members.filter((m) => m.pings > 0 && !m.closed).length,
      ...hold,
      closedEarly: members.filter((m) => m.closed).length,
      serverCounts: health.connections,
      ...perConnection(before, after, count),
      peakRss: server.peakRssBytes(),
    };
  } finally {
    for (const member of members) member.close();
    await server.stop();
  }
}
