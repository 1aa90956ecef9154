import { httpError, realtimeError } from '../../core/errors';
import { type RealtimeEvent } from '../../core/types';
import { RealtimeTransports, type PollRequest, type PollResponse, type SocketHandle, type SocketRequest, type SocketSink, type StreamRequest, type StreamSink } from '../../core/transports/realtime-transports';
import type { TabChannel, TabEnvironment, TabLocks } from '../tab-environment';

/**
 * Test doubles for several tabs of one browser in one process: a lock manager
 * with the Web Locks semantics the election relies on (exclusive, queued in
 * request order, `ifAvailable`, abort while queued, released when the callback's
 * promise settles or the tab dies), channels with BroadcastChannel's (every other
 * open channel of the name gets a copy, in order, as a later task), and an
 * in-memory server behind the transport seam.
 */
export class FakeBrowser {
  private readonly held = new Map<string, { owner: string; release: () => void }>();
  private readonly queues = new Map<string, { owner: string; grant: () => void; abort: () => void }[]>();
  private readonly channels = new Set<{ owner: string; name: string; channel: TabChannel; open: boolean }>();
  readonly pageEvents = new Map<string, EventTarget>();
  readonly storage = new Map<string, string>();
  private clock = 1_000_000;

  environment(owner: string): TabEnvironment {
    const window = new EventTarget();
    this.pageEvents.set(owner, window);
    return {
      locks: this.locks(owner),
      channel: (name) => this.channel(owner, name),
      pageEvents: [window],
      storage: { getItem: (k) => this.storage.get(k) ?? null, setItem: (k, v) => void this.storage.set(k, v) },
      // every tab reads the same clock, as tabs of one machine do; it only moves forward
      now: () => ++this.clock,
      setTimeout: (fn, ms) => setTimeout(fn, ms),
      clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
    };
  }

  /** The tab's process died: its locks are freed, its channels stop, no page event fires. */
  crash(owner: string): void {
    for (const entry of this.channels) if (entry.owner === owner) entry.open = false;
    for (const lock of [...this.held.values()]) if (lock.owner === owner) lock.release();
    for (const [name, queue] of this.queues) {
      const kept = queue.filter((q) => q.owner !== owner);
      this.queues.set(name, kept);
    }
  }

  holder(name: string): string | null {
    return this.held.get(name)?.owner ?? null;
  }

  private locks(owner: string): TabLocks {
    return {
      request: (name, options, callback) =>
        new Promise((resolve, reject) => {
          const run = () => {
            let released = false;
            const release = () => {
              if (released) return;
              released = true;
              this.held.delete(name);
              this.next(name);
            };
            this.held.set(name, { owner, release });
            Promise.resolve()
              .then(() => callback({ name }))
              .then(
                (value) => {
                  release();
                  resolve(value);
                },
                (err: unknown) => {
                  release();
                  reject(err);
                },
              );
          };
          if (options.signal?.aborted) return reject(new DOMException('aborted', 'AbortError'));
          if (!this.held.has(name) && (this.queues.get(name)?.length ?? 0) === 0) return run();
          if (options.ifAvailable) {
            Promise.resolve(callback(null)).then(resolve, reject);
            return;
          }
          const entry = {
            owner,
            grant: run,
            abort: () => reject(new DOMException('aborted', 'AbortError')),
          };
          const queue = this.queues.get(name) ?? [];
          queue.push(entry);
          this.queues.set(name, queue);
          options.signal?.addEventListener('abort', () => {
            const q = this.queues.get(name) ?? [];
            const index = q.indexOf(entry);
            if (index < 0) return;
            q.splice(index, 1);
            entry.abort();
          });
        }),
      query: async () => ({ held: [...this.held.keys()].map((name) => ({ name })) }),
    };
  }

  private next(name: string): void {
    const queue = this.queues.get(name);
    const entry = queue?.shift();
    if (entry) entry.grant();
  }

  private channel(owner: string, name: string): TabChannel {
    const entry = { owner, name, open: true, channel: null as unknown as TabChannel };
    const channel: TabChannel = {
      onmessage: null,
      postMessage: (message) => {
        if (!entry.open) return;
        const copy = JSON.stringify(message); // what structured clone would refuse, JSON refuses too
        for (const other of this.channels) {
          if (other === entry || other.name !== name) continue;
          setTimeout(() => {
            if (other.open) other.channel.onmessage?.({ data: JSON.parse(copy) });
          }, 0);
        }
      },
      close: () => {
        entry.open = false;
        this.channels.delete(entry);
      },
    };
    entry.channel = channel;
    this.channels.add(entry);
    return channel;
  }
}

interface Stream {
  topic: string;
  sink: StreamSink;
  open: boolean;
  /** Replayed from its cursor: live events go to it from now on. */
  ready: boolean;
}

interface Socket {
  sink: SocketSink;
  rooms: Set<string>;
  open: boolean;
  user: string;
}

/**
 * An in-memory server behind the transport seam: topic logs with ids `e1`, `e2`, …
 * (one counter, so ids are unique), SSE streams that resume after a cursor, long
 * polls, and a chat socket with rooms, acks and send dedup by clientId. It counts
 * the connections open right now, like demo-server's /api/health.
 */
export class FakeServer extends RealtimeTransports {
  private readonly logs = new Map<string, RealtimeEvent[]>();
  private readonly streams = new Set<Stream>();
  private readonly waiters = new Set<() => void>();
  private readonly sockets = new Set<Socket>();
  private readonly sent = new Map<string, string>();
  private counter = 0;
  pollsInFlight = 0;
  pollsMade = 0;

  get connections(): { sse: number; poll: number; ws: number } {
    return {
      sse: [...this.streams].filter((s) => s.open).length,
      poll: this.pollsInFlight,
      ws: [...this.sockets].filter((s) => s.open).length,
    };
  }

  publish(topic: string, data: unknown, type = 'note'): RealtimeEvent {
    const event: RealtimeEvent = { id: `e${++this.counter}`, topic, type, data, ts: this.counter };
    this.log(topic).push(event);
    for (const stream of this.streams) if (stream.open && stream.ready && stream.topic === topic) stream.sink.event(event);
    for (const wake of [...this.waiters]) wake();
    if (topic.startsWith('chat:')) {
      const room = topic.slice(5);
      for (const socket of this.sockets) if (socket.open && socket.rooms.has(room)) socket.sink.message({ type: 'message', room, event });
    }
    return event;
  }

  /** Drops every open connection, as a server restart would. */
  dropAll(): void {
    for (const stream of this.streams) if (stream.open) {
      stream.open = false;
      stream.sink.closed(realtimeError('stream_ended', 'ended', true));
    }
    for (const socket of this.sockets) if (socket.open) {
      socket.open = false;
      socket.sink.closed(realtimeError('socket_closed', 'closed', true));
    }
  }

  override openStream(req: StreamRequest, sink: StreamSink): () => void {
    const stream: Stream = { topic: req.topic, sink, open: true, ready: false };
    this.streams.add(stream);
    setTimeout(() => {
      if (!stream.open) return;
      sink.opened();
      const log = this.log(req.topic);
      stream.ready = true;
      if (req.cursor === null) sink.position(this.head(req.topic));
      else for (const e of this.after(req.topic, req.cursor) ?? log) sink.event(e);
    }, 0);
    return () => {
      stream.open = false;
      this.streams.delete(stream);
    };
  }

  override poll(req: PollRequest): Promise<PollResponse> {
    this.pollsMade++;
    this.pollsInFlight++;
    return new Promise<PollResponse>((resolve, reject) => {
      let timer: ReturnType<typeof setTimeout> | null = null;
      const done = () => {
        this.pollsInFlight--;
        this.waiters.delete(check);
        if (timer) clearTimeout(timer);
        req.signal.removeEventListener('abort', aborted);
      };
      const aborted = () => {
        done();
        reject(httpError(499, 'aborted'));
      };
      const check = () => {
        const events = req.cursor === null ? [] : this.after(req.topic, req.cursor);
        if (events === null) {
          done();
          const log = this.log(req.topic);
          return resolve({ events: log.slice(0, req.limit), cursor: log.slice(0, req.limit).at(-1)?.id ?? this.head(req.topic), reset: true });
        }
        if (events.length > 0 || req.timeoutMs === 0 || req.cursor === null) {
          done();
          const page = events.slice(0, req.limit);
          return resolve({ events: page, cursor: page.at(-1)?.id ?? (req.cursor ?? this.head(req.topic)) });
        }
      };
      req.signal.addEventListener('abort', aborted);
      this.waiters.add(check);
      setTimeout(() => {
        if (!this.waiters.has(check)) return;
        check();
        if (!this.waiters.has(check)) return;
        timer = setTimeout(() => {
          done();
          resolve({ events: [], cursor: req.cursor ?? this.head(req.topic) });
        }, req.timeoutMs);
      }, 0);
    });
  }

  override openSocket(req: SocketRequest, sink: SocketSink): SocketHandle {
    const user = new URL(req.url).searchParams.get('name') ?? 'guest';
    const socket: Socket = { sink, rooms: new Set(), open: true, user };
    this.sockets.add(socket);
    setTimeout(() => {
      if (!socket.open) return;
      sink.opened();
      sink.message({ type: 'welcome', connectionId: 'c', user, heartbeatMs: 30000 });
    }, 0);
    return {
      send: (frame) => setTimeout(() => socket.open && this.chat(socket, frame), 0),
      close: () => {
        socket.open = false;
        this.sockets.delete(socket);
      },
    };
  }

  private chat(socket: Socket, frame: { type: string; [k: string]: unknown }): void {
    const room = String(frame['room'] ?? '');
    switch (frame.type) {
      case 'join': {
        socket.rooms.add(room);
        const since = typeof frame['since'] === 'string' ? frame['since'] : null;
        const after = since === null ? null : this.after(`chat:${room}`, since);
        const log = this.log(`chat:${room}`);
        const history = after ?? log.slice(-50);
        socket.sink.message({ type: 'joined', room, members: [socket.user], count: 1, history, cursor: this.head(`chat:${room}`), ...(since !== null && after === null ? { reset: true } : {}) });
        return;
      }
      case 'leave':
        socket.rooms.delete(room);
        socket.sink.message({ type: 'left', room });
        return;
      case 'send': {
        const clientId = String(frame['clientId']);
        if (!socket.rooms.has(room)) {
          socket.sink.message({ type: 'error', code: 'not_joined', message: 'join first', ref: clientId });
          return;
        }
        const known = this.sent.get(`${room}/${clientId}`);
        if (known) {
          socket.sink.message({ type: 'ack', clientId, id: known });
          return;
        }
        const event = this.publish(`chat:${room}`, { text: frame['text'], from: socket.user, clientId }, 'message');
        this.sent.set(`${room}/${clientId}`, event.id);
        socket.sink.message({ type: 'ack', clientId, id: event.id });
        return;
      }
      case 'ping':
        socket.sink.message({ type: 'pong', t: frame['t'] });
        return;
      default:
        return;
    }
  }

  messages(room: string): RealtimeEvent[] {
    return this.log(`chat:${room}`);
  }

  private log(topic: string): RealtimeEvent[] {
    let log = this.logs.get(topic);
    if (!log) this.logs.set(topic, (log = []));
    return log;
  }

  private head(topic: string): string {
    return this.log(topic).at(-1)?.id ?? `${topic}@0`;
  }

  /** Events after `cursor`, or null when the cursor is unknown (a gap). */
  private after(topic: string, cursor: string): RealtimeEvent[] | null {
    const log = this.log(topic);
    if (cursor === `${topic}@0`) return [...log];
    const index = log.findIndex((e) => e.id === cursor);
    return index < 0 ? null : log.slice(index + 1);
  }
}

/** Lets every pending timer, message and promise run (real timers). */
export async function settle(rounds = 20): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise((resolve) => setTimeout(resolve, 0));
}
