// Turns the raw figures of a load-bench run into Markdown tables (medians over repeated runs).
import { median, mib, round } from './stats.mjs';

/** Field-wise median of same-shaped results; arrays of results are merged element by element. */
export function medianOf(results) {
  const [first] = results;
  if (Array.isArray(first)) return first.map((_, i) => medianOf(results.map((r) => r[i])));
  if (first === null || typeof first !== 'object') {
    return typeof first === 'number' ? median(results) : first;
  }
  return Object.fromEntries(Object.keys(first).map((key) => [key, medianOf(results.map((r) => r[key]))]));
}

const n = (value) => (typeof value === 'number' ? value.toLocaleString('en-US') : String(value));
const table = (header, rows) =>
  [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((row) => `| ${row.map(n).join(' | ')} |`)].join('\n');

export function summarize(report) {
  const { machine, runs, repeat } = report;
  const parts = [
    `Machine: ${machine.nproc} cores (${machine.cpu}), ${machine.memoryGiB} GiB, node ${machine.node}, ` +
      `open-file limit ${machine.openFileLimit}, commit ${machine.gitCommit}, ${machine.date}` +
      (repeat > 1 ? `; medians of ${repeat} runs` : ''),
  ];
  const idle = Object.keys(runs).filter((name) => name.startsWith('idle-')).map((name) => medianOf(runs[name]));
  if (idle.length > 0) {
    parts.push(
      '### Idle connections\n\n' +
        table(
          ['transport', 'connections', '/api/health says open', 'time to open (ms)', 'opens/s', 'got heartbeat (+ welcome/joined)', 'server CPU while idle (without connections)', 'server RSS before → after (MiB)', 'RSS per connection (bytes)', 'JS heap per connection (bytes)'],
          idle.map((r) => [
            r.transport,
            r.count,
            r.transport === 'sse' ? r.serverCounts.sse : r.serverCounts.websocket,
            r.openMs,
            r.opensPerSecond,
            r.transport === 'sse' ? `${n(r.withHeartbeat)}` : `${n(r.withHeartbeat)} (${n(r.withWelcome)}/${n(r.withJoined)})`,
            `${r.idleServerCpuPercent} % over ${round(r.idleHeldMs / 1000)} s (${r.idleServerCpuPercentWithoutConnections} %)`,
            `${mib(r.rssBefore)} → ${mib(r.rssAfter)}`,
            r.rssBytesPerConnection,
            r.heapBytesPerConnection,
          ]),
        ),
    );
  }
  const fanout = ['fanout-sse', 'fanout-ws'].filter((name) => runs[name]).map((name) => medianOf(runs[name]));
  if (fanout.length > 0) {
    parts.push(
      '### Fan-out (20 events, one at a time, then 20 at once)\n\n' +
        table(
          ['transport', 'subscribers', 'last subscriber ms (median)', 'p95', 'first subscriber ms (median)', 'server CPU ms/event', 'burst of 20: ms', 'deliveries/s'],
          fanout.flatMap((f) =>
            f.results.map((r) => [f.transport, r.size, r.lastSubscriberMsMedian, r.lastSubscriberMsP95, r.firstSubscriberMsMedian, r.serverCpuMsPerEvent, r.burstMs, r.deliveriesPerSecond]),
          ),
        ),
    );
  }
  const storms = Object.keys(runs).filter((name) => name.startsWith('presence-')).map((name) => medianOf(runs[name]));
  if (storms.length > 0) {
    parts.push(
      '### Presence storm (N members join one room at once)\n\n' +
        table(
          ['members', 'all joined (ms)', 'settled (ms)', 'server CPU ms', 'frames to members', 'frames/member', 'presence frames', 'max presence frames/member', 'bytes to members', 'without coalescing: presence frames'],
          storms.map((r) => [r.count, r.allJoinedMs, r.settledMs, r.serverCpuMs, r.frames, r.framesPerMember, r.presenceFrames, r.maxPresenceFramesPerMember, r.bytes, r.uncoalescedPresenceFrames]),
        ),
    );
  }
  if (runs['slow-consumer']) {
    const r = medianOf(runs['slow-consumer']);
    parts.push(
      '### Slow consumer (one SSE reader that never reads, among healthy ones)\n\n' +
        table(
          ['healthy readers', 'event size', 'slow one dropped', 'after (events / MiB sent)', 'healthy with every event', 'healthy closed', 'last healthy ms after drop (median / p95)', 'server RSS before / max / at end (MiB)', 'JS heap before → after (MiB)', 'of which history (MiB, est.)'],
          [[r.healthyCount, `${r.payloadBytes / 1024} KiB`, r.slowDropped, `${n(r.droppedAfterEvents)} / ${r.droppedAfterMiB}`, `${n(r.healthyWithEveryEvent)} of ${n(r.eventsPublished)} events`, r.healthyClosed, `${r.afterDropLastSubscriberMsMedian} / ${r.afterDropLastSubscriberMsP95}`, `${mib(r.rssBefore)} / ${mib(r.rssMax)} / ${mib(r.rssAfterGc)}`, `${mib(r.heapUsedBefore)} → ${mib(r.heapUsedAfterGc)}`, mib(r.historyBytesEstimate)]],
        ),
    );
  }
  if (runs['soak-mixed']) {
    const r = medianOf(runs['soak-mixed']);
    parts.push(
      '### Soak (SSE streams and chat members on one server, default heartbeats, one event and one message a second)\n\n' +
        table(
          ['SSE + chat', 'held (s)', 'events each', 'SSE with every event / a heartbeat', 'chat with every message / a ping', 'closed', 'server CPU', 'server RSS start / max (MiB)', 'JS heap after GC start → end (MiB)'],
          [[`${n(r.sse)} + ${n(r.websocket)}`, r.heldS, r.eventsEach, `${n(r.sseWithEveryEvent)} / ${n(r.sseWithHeartbeat)}`, `${n(r.websocketWithEveryMessage)} / ${n(r.websocketWithPing)}`, r.closed, `${r.serverCpuPercent} %`, `${r.rssStartMiB} / ${r.rssMaxMiB}`, `${r.heapAfterGcStartMiB} → ${r.heapAfterGcEndMiB}`]],
        ),
    );
  }
  return parts.join('\n\n');
}
