// Scenario 3: presence storm. N connected members send `join` for one room at the same moment; every
// frame and byte the server sends them until the room settles is counted.
import { openChatMembers } from './ws-clients.mjs';
import { startServer } from './server-child.mjs';
import { now, round, sleep, waitFor } from './stats.mjs';

/** Frames without coalescing: each join tells every earlier member, N(N-1)/2 presence frames in all. */
const uncoalescedFrames = (n) => (n * (n - 1)) / 2;

export async function presenceStorm({ count }) {
  const server = await startServer();
  const members = [];
  try {
    members.push(...(await openChatMembers(server.url, count, { prefix: 'p' })));
    await sleep(300);
    for (const member of members) member.resetCounts();
    const cpuBefore = server.cpuMs();
    const started = now();
    for (const member of members) member.send({ type: 'join', room: 'storm' });
    const sentMs = now() - started;
    await waitFor(() => members.every((m) => m.joined || m.closed), 'every join answered', 120_000, 10);
    const allJoinedMs = now() - started;
    // Settled: every member believes the room holds all N.
    await waitFor(() => members.every((m) => m.count === count || m.closed), 'the room to settle', 120_000, 10);
    const settledMs = now() - started;
    const cpuMs = server.cpuMs() - cpuBefore;
    // A window's worth of quiet, to catch any trailing presence frame.
    await sleep(500);
    const frames = members.reduce((sum, m) => sum + m.frameCount, 0);
    const bytes = members.reduce((sum, m) => sum + m.bytes, 0);
    const presenceFrames = members.reduce((sum, m) => sum + (m.frames.get('presence') ?? 0), 0);
    const perMember = members.map((m) => m.frames.get('presence') ?? 0);
    return {
      count,
      joinsSentMs: round(sentMs),
      allJoinedMs: round(allJoinedMs),
      settledMs: round(settledMs),
      serverCpuMs: round(cpuMs),
      frames,
      framesPerMember: round(frames / count, 2),
      presenceFrames,
      maxPresenceFramesPerMember: Math.max(...perMember),
      bytes,
      bytesPerMember: Math.round(bytes / count),
      uncoalescedPresenceFrames: uncoalescedFrames(count),
      closedEarly: members.filter((m) => m.closed).length,
    };
  } finally {
    for (const member of members) member.close();
    await server.stop();
  }
}
