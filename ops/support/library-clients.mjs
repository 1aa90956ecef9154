// The library's own services (NotificationService, LongPollService, ChatService) running in
// Node through the same code a browser runs: the built package from dist/, Node's fetch and
// `ws` behind the library's transport seam, one Angular environment injector per client.
import { ClientRecord, recordStates } from './client-record.mjs';
import { lib, serviceInjector } from './built-library.mjs';

/**
 * How often a client's message list and gap are read (they are signals, not streams); the list only
 * grows and a gap stays until the next, so a sample misses nothing. States are watched (recordStates).
 */
const SAMPLE_MS = 10;

function injectorFor(baseUrl, service, { heartbeatMs }) {
  return serviceInjector(baseUrl, service, () => [
    lib.withReconnect({ initialDelayMs: 100, maxDelayMs: 1000 }),
    lib.withHeartbeat(heartbeatMs),
    lib.withBuffers({ notifications: 100_000, messages: 100_000, events: 100_000 }),
  ]);
}

function seqOfData(data) {
  return typeof data?.seq === 'number' ? data.seq : null;
}

function seqOfText(text) {
  const match = /^#(\d+)$/.exec(text ?? '');
  return match ? Number(match[1]) : null;
}

/** An SSE reader: NotificationService on `topic`. */
export function sseReader(baseUrl, topic, { name, heartbeatMs }) {
  const record = new ClientRecord('sse', name);
  const injector = injectorFor(baseUrl, lib.NotificationService, { heartbeatMs });
  const service = injector.get(lib.NotificationService);
  let lastGap = null;
  service.events$.subscribe((event) => record.received.push({ seq: seqOfData(event.data), id: event.id, ts: event.ts, at: Date.now() }));
  service.connect(topic);
  const unwatch = recordStates(service.state, record);
  const timer = setInterval(() => {
    const gap = service.gap();
    if (gap && gap !== lastGap) {
      lastGap = gap;
      record.resets++;
    }
  }, SAMPLE_MS);
  return { record, ready: () => service.cursor() !== null && service.state() === 'open', close: () => (clearInterval(timer), unwatch(), injector.destroy()) };
}

/** A long-poll reader: LongPollService.watch(`topic`), polls held `holdMs`. */
export function longPollReader(baseUrl, topic, { name, heartbeatMs, holdMs }) {
  const record = new ClientRecord('long-poll', name);
  const injector = injectorFor(baseUrl, lib.LongPollService, { heartbeatMs });
  const feed = injector.get(lib.LongPollService).watch(topic, { timeoutMs: holdMs, limit: 1000, bufferSize: 100_000 });
  let lastGap = null;
  feed.events$.subscribe((event) => record.received.push({ seq: seqOfData(event.data), id: event.id, ts: event.ts, at: Date.now() }));
  const unwatch = recordStates(feed.state, record);
  const timer = setInterval(() => {
    const gap = feed.gap();
    if (gap && gap !== lastGap) {
      lastGap = gap;
      record.resets++;
    }
  }, SAMPLE_MS);
  return { record, ready: () => feed.cursor() !== null && feed.state() === 'open', close: () => (clearInterval(timer), unwatch(), feed.stop(), injector.destroy()) };
}

/** A chat member: ChatService joined to `room`, reading messages as they are listed. */
export function chatReader(baseUrl, room, { name, heartbeatMs }) {
  const record = new ClientRecord('websocket', name);
  const injector = injectorFor(baseUrl, lib.ChatService, { heartbeatMs });
  const chat = injector.get(lib.ChatService);
  const handle = chat.join(room);
  chat.connect({ name });
  let seen = 0;
  let lastGap = null;
  let lastList = null;
  const unwatch = recordStates(chat.state, record);
  const timer = setInterval(() => {
    const gap = handle.gap?.();
    if (gap && gap !== lastGap) {
      lastGap = gap;
      record.resets++;
    }
    const list = handle.messages();
    if (list === lastList) return;
    lastList = list;
    const now = Date.now();
    // A reader sends nothing, so every listed message is confirmed by the log, in log order.
    for (; seen < list.length; seen++) {
      const message = list[seen];
      record.received.push({ seq: seqOfText(message.text), id: message.id, ts: message.ts, at: now });
    }
  }, SAMPLE_MS);
  return { record, ready: () => handle.joined() && chat.state() === 'open', close: () => (clearInterval(timer), unwatch(), injector.destroy()) };
}

/**
 * A chat member that sends `#<seq>` messages through its outbox, one at a time: the next
 * goes out once the previous is acked, so the room's log order is the send order. Each
 * message is retried across reconnects until acked; `acked` maps seq -> ack time.
 */
export function chatSender(baseUrl, room, { name, heartbeatMs }) {
  const injector = injectorFor(baseUrl, lib.ChatService, { heartbeatMs });
  const chat = injector.get(lib.ChatService);
  const handle = chat.join(room);
  chat.connect({ name });
  const acked = new Map();
  const sentAt = new Map();
  let seq = 0;
  let inFlight = null;
  return {
    ready: () => handle.joined() && chat.state() === 'open',
    /** Sends the next message unless one is still waiting for its ack; returns its seq or null. */
    tick() {
      if (inFlight !== null) {
        const mine = handle.messages().find((m) => m.text === `#${inFlight}`);
        if (mine?.status !== 'sent' && mine?.id == null) return null;
        acked.set(inFlight, Date.now());
        inFlight = null;
      }
      seq++;
      sentAt.set(seq, Date.now());
      handle.send(`#${seq}`);
      inFlight = seq;
      return seq;
    },
    /** Waits for the last message's ack. */
    settled: () => inFlight === null || handle.messages().some((m) => m.text === `#${inFlight}` && (m.status === 'sent' || m.id != null)),
    finish() {
      if (inFlight !== null) acked.set(inFlight, Date.now());
      inFlight = null;
    },
    acked,
    sentAt,
    pending: () => handle.messages().filter((m) => m.mine && m.status !== 'sent' && m.id == null).length,
    close: () => injector.destroy(),
  };
}
