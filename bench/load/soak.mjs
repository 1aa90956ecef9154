// Not in the default run: 10,000 connections of both kinds on one server with the default heartbeats,
// held for a minute while a few events a second go to all of them. Checks that "holds" lasts.
import { openSseStreams, publish } from './sse-clients.mjs';
import { openChatMembers } from './ws-clients.mjs';
import { startServer } from './server-child.mjs';
import { mib, now, round, sleep, waitFor } from './stats.mjs';

export async function soakMixed({ sse, websocket, holdMs }) {
  const server = await startServer();
  const streams = [];
  const members = [];
  try {
    streams.push(...(await openSseStreams(server.url, 'soak', sse)));
    members.push(...(await openChatMembers(server.url, websocket, { prefix: 's' })));
    for (const member of members) {
      member.pings = 0;
      member.socket.on('ping', () => member.pings++);
      member.send({ type: 'join', room: 'soak' });
    }
    await waitFor(() => members.every((m) => m.count === websocket || m.closed), 'the room to settle', 60_000, 50);
    const heapStart = (await server.memoryAfterGc()).heapUsed;
    const rssStart = server.rssBytes();
    const cpuStart = server.cpuMs();
    const started = now();
    let published = 0;
    let rssMax = rssStart;
    while (now() - started < holdMs) {
      // One SSE event and one chat message a second: the 10,000 keep receiving while they are held.
      await publish(server.url, 'soak', 'tick', { n: published });
      members[published % members.length].send({ type: 'send', room: 'soak', clientId: `soak-${published}`, text: 'tick' });
      published++;
      rssMax = Math.max(rssMax, server.rssBytes());
      await sleep(1000);
    }
    const heldMs = now() - started;
    const cpuMs = server.cpuMs() - cpuStart;
    await waitFor(() => streams.every((s) => s.events >= published || s.closed), 'the last SSE event everywhere', 30_000);
    const messagesEverywhere = () => members.every((m) => (m.frames.get('message') ?? 0) >= published || m.closed);
    await waitFor(messagesEverywhere, 'the last chat message everywhere', 30_000);
    const health = await server.health();
    const heapEnd = (await server.memoryAfterGc()).heapUsed;
    return {
      sse,
      websocket,
      heldS: round(heldMs / 1000),
      eventsEach: published,
      serverCpuPercent: round((cpuMs / heldMs) * 100),
      sseWithEveryEvent: streams.filter((s) => s.events === published && !s.closed).length,
      sseWithHeartbeat: streams.filter((s) => s.pings > 0).length,
      websocketWithEveryMessage: members.filter((m) => m.frames.get('message') === published && !m.closed).length,
      websocketWithPing: members.filter((m) => m.pings > 0).length,
      closed: streams.filter((s) => s.closed).length + members.filter((m) => m.closed).length,
      serverCounts: health.connections,
      rssStartMiB: mib(rssStart),
      rssMaxMiB: mib(rssMax),
      heapAfterGcStartMiB: mib(heapStart),
      heapAfterGcEndMiB: mib(heapEnd),
    };
  } finally {
    for (const stream of streams) stream.close();
    for (const member of members) member.close();
    await server.stop();
  }
}
