import { isRealtimeError, networkError, realtimeError } from '../core/errors';
import type { RealtimeError } from '../core/types';
import type { PollRequest, PollResponse, RealtimeTransports, SocketHandle, SocketRequest, SocketSink, StreamRequest, StreamSink } from '../core/transports/realtime-transports';
import type { RealtimeTransportKind } from '../core/transports/transport-kind';
import { socketKey, type Frame, type LeaderMessage, type OrphanSend, type TabMessage } from './tab-messages';

/** Events asked for per catch-up poll (the server's maximum). */
const CATCH_UP_LIMIT = 1000;

/** What a relayed connection reports when the tab holding the shared connection goes away: retried like a dropped network. */
export function leaderGoneError(): RealtimeError {
  return realtimeError('network', 'The tab holding the shared connection went away; reconnecting through the next one.', true);
}

interface Relayed {
  /** Sends the attach (or the poll) to the leader. */
  begin(leader: string): void;
  receive(message: LeaderMessage): void;
  /** The leader it was attached to is gone. */
  lost(): void;
}

/**
 * This tab's side of the relay: transports whose streams, polls and sockets go
 * through the leader tab (which may be this very tab) instead of the network.
 * Each relayed stream keeps its own position and checks every relayed event
 * against it (`prev`); when it finds it is behind (it attached at another
 * cursor, it was frozen, a relayed frame never came), it catches up from the
 * server by its cursor with a poll that does not wait, then rejoins the
 * relay where that poll ended. When the leader changes, everything relayed
 * ends with a retryable error and each service reconnects, by its cursor,
 * through the new leader.
 */
export class TabRelay {
  private leader: { tab: string; epoch: number } | null = null;
  private readonly live = new Map<string, Relayed>();
  private readonly waiting = new Map<string, Relayed>();
  private readonly socketsBySub = new Map<string, RelayedSocket>();
  private serial = 0;

  constructor(
    private readonly tabId: string,
    private readonly post: (message: TabMessage) => void,
    private readonly real: RealtimeTransports,
    private readonly catchUpUrl: CatchUpUrl,
  ) {}

  /** A new leader (or none): what went through the old one ends; what waited is sent to the new one. */
  setLeader(tab: string | null, epoch: number): void {
    if (this.leader && this.leader.tab === tab && this.leader.epoch === epoch) return;
    this.leader = tab === null ? null : { tab, epoch };
    const lost = [...this.live.values()];
    this.live.clear();
    for (const relayed of lost) relayed.lost();
    if (this.leader) {
      const ready = [...this.waiting];
      this.waiting.clear();
      for (const [id, relayed] of ready) this.begin(id, relayed);
    }
  }

  receive(message: LeaderMessage): void {
    if (!this.leader || message.epoch !== this.leader.epoch) return; // a deposed leader's frame
    if ('to' in message) {
      if (message.to !== this.tabId) return;
      const id = 'sub' in message ? message.sub : message.req;
      this.live.get(id)?.receive(message);
      return;
    }
    for (const relayed of this.live.values()) relayed.receive(message);
  }

  /** Chat sends handed to the socket and not yet acknowledged, for a closing tab to hand over. */
  orphans(now: number): OrphanSend[] {
    return [...this.socketsBySub.values()].flatMap((socket) => socket.unacknowledged(now));
  }

  openStream(req: StreamRequest, sink: StreamSink): () => void {
    const id = this.id();
    const stream = new RelayedStream(id, req, sink, this.real, this.catchUpUrl, (m) => this.toLeader(m), () => this.forget(id));
    this.add(id, stream);
    return () => stream.teardown();
  }

  poll(req: PollRequest): Promise<PollResponse> {
    return new Promise<PollResponse>((resolve, reject) => {
      const id = this.id();
      const poll = new RelayedPoll(id, req, resolve, reject, (m) => this.toLeader(m), () => this.forget(id));
      if (!poll.done) this.add(id, poll);
    });
  }

  openSocket(req: SocketRequest, sink: SocketSink): SocketHandle {
    const id = this.id();
    const socket = new RelayedSocket(id, req, sink, (m) => this.toLeader(m), () => {
      this.forget(id);
      this.socketsBySub.delete(id);
    });
    this.socketsBySub.set(id, socket);
    this.add(id, socket);
    return socket.handle;
  }

  /** Ends everything relayed (sharing stops for this tab). */
  dispose(): void {
    const all = [...this.live.values(), ...this.waiting.values()];
    this.live.clear();
    this.waiting.clear();
    for (const relayed of all) relayed.lost();
  }

  private id(): string {
    return `${++this.serial}`;
  }

  private add(id: string, relayed: Relayed): void {
    if (this.leader) this.begin(id, relayed);
    else this.waiting.set(id, relayed);
  }

  private begin(id: string, relayed: Relayed): void {
    this.live.set(id, relayed);
    relayed.begin(this.leader!.tab);
  }

  private forget(id: string): void {
    this.live.delete(id);
    this.waiting.delete(id);
  }

  private toLeader(message: { t: string; [k: string]: unknown }): void {
    if (!this.leader) return;
    this.post({ ...message, to: this.leader.tab, from: this.tabId } as TabMessage);
  }
}

/** Relayed frames that move a stream's position. */
type PositionFrame = Extract<LeaderMessage, { t: 's-event' | 's-position' | 's-reset' }>;

/** The long-poll URL of a topic, for catching up by cursor. */
export type CatchUpUrl = (topic: string) => string;

type ToLeader = (message: { t: string; [k: string]: unknown }) => void;

class RelayedStream implements Relayed {
  private uid: string | null = null;
  private last: string | null;
  private mode: 'attaching' | 'live' | 'catching-up' | 'skipping' = 'attaching';
  /** While catching up: relayed frames held back. While skipping: the position the catch-up ended at. */
  private held: PositionFrame[] = [];
  private resumeAt: string | null = null;
  private opened = false;
  private done = false;
  private catchUp: AbortController | null = null;

  constructor(
    private readonly id: string,
    private readonly req: StreamRequest,
    private readonly sink: StreamSink,
    private readonly real: RealtimeTransports,
    private readonly catchUpUrl: CatchUpUrl,
    private readonly toLeader: ToLeader,
    private readonly forget: () => void,
  ) {
    this.last = req.cursor;
  }

  begin(): void {
    const { url, topic, cursor, headers } = this.req;
    this.toLeader({ t: 's-attach', sub: this.id, url, topic, cursor, headers });
  }

  lost(): void {
    this.end(leaderGoneError());
  }

  teardown(): void {
    if (this.done) return;
    this.finish();
    this.toLeader({ t: 's-detach', sub: this.id });
  }

  receive(message: LeaderMessage): void {
    if (this.done) return;
    if (message.t === 's-attached') return this.attached(message);
    if (!('uid' in message) || message.uid !== this.uid) return;
    this.sink.activity();
    switch (message.t) {
      case 's-open':
        return this.open(message.kind);
      case 's-hint':
        return this.sink.retryHint(message.ms);
      case 's-activity':
        return;
      case 's-closed':
        return this.end(message.error);
      case 's-event':
      case 's-position':
      case 's-reset':
        return this.relayed(message);
    }
  }

  private attached(message: Extract<LeaderMessage, { t: 's-attached' }>): void {
    this.uid = message.uid;
    if (message.open) this.open(message.kind);
    if (this.last === null) {
      this.mode = 'live';
      if (message.position !== null) {
        this.last = message.position;
        this.sink.position(message.position);
      }
    } else if (message.position === this.last) {
      this.mode = 'live';
    } else {
      this.startCatchUp();
    }
  }

  private open(kind: RealtimeTransportKind | null | undefined): void {
    if (this.opened) return;
    this.opened = true;
    if (kind) this.sink.transport?.(kind);
    this.sink.opened();
  }

  private relayed(message: PositionFrame): void {
    if (this.mode === 'catching-up') {
      this.held.push(message);
      return;
    }
    if (this.mode === 'skipping') {
      // the catch-up went further than the relay had: skip what it already delivered
      if (message.prev !== this.resumeAt) return;
      this.mode = 'live';
    }
    const head = message.t === 's-event' ? message.event.id || message.prev : message.cursor;
    if (this.last === null || message.prev === this.last) {
      this.apply(message);
    } else if (head !== this.last) {
      this.held = [message];
      this.startCatchUp();
    }
  }

  private apply(message: PositionFrame): void {
    switch (message.t) {
      case 's-event':
        if (message.event.id !== '') this.last = message.event.id;
        return this.sink.event(message.event);
      case 's-position':
        this.last = message.cursor;
        return this.sink.position(message.cursor);
      case 's-reset':
        this.last = message.cursor;
        return this.sink.reset(message.cursor);
    }
  }

  private startCatchUp(): void {
    if (this.last === null) {
      this.mode = 'live';
      return;
    }
    this.mode = 'catching-up';
    const url = this.catchUpUrl(this.req.topic);
    const controller = new AbortController();
    this.catchUp = controller;
    const run = async () => {
      let cursor = this.last!;
      let delivered: string = cursor;
      for (;;) {
        const response = await this.real.poll({
          url,
          topic: this.req.topic,
          cursor,
          timeoutMs: 0,
          limit: CATCH_UP_LIMIT,
          headers: this.req.headers,
          signal: controller.signal,
        });
        if (this.done || this.catchUp !== controller) return;
        if (response.reset) this.sink.reset(response.cursor);
        for (const event of response.events) this.sink.event(event);
        delivered = response.events.at(-1)?.id ?? delivered;
        cursor = response.cursor;
        if (response.events.length < CATCH_UP_LIMIT) break;
      }
      this.last = cursor;
      if (cursor !== delivered) this.sink.position(cursor);
      this.catchUp = null;
      this.resumeAt = cursor;
      this.mode = 'skipping';
      const held = this.held;
      this.held = [];
      for (let i = 0; i < held.length; i++) {
        if (this.done) return;
        if ((this.mode as string) === 'catching-up') {
          // another gap while replaying: the new catch-up picks these up after it
          this.held.push(...held.slice(i));
          return;
        }
        this.relayed(held[i]);
      }
    };
    run().catch((err: unknown) => {
      if (this.catchUp === controller) this.end(isRealtimeError(err) ? err : networkError(err));
    });
  }

  private end(error: RealtimeError): void {
    if (this.done) return;
    this.finish();
    this.sink.closed(error);
  }

  private finish(): void {
    this.done = true;
    this.catchUp?.abort();
    this.catchUp = null;
    this.forget();
  }
}

class RelayedPoll implements Relayed {
  done = false;
  private readonly onAbort = () => {
    this.toLeader({ t: 'p-cancel', req: this.id });
    this.settle(() => this.reject(networkError('aborted')));
  };

  constructor(
    private readonly id: string,
    private readonly req: PollRequest,
    private readonly resolve: (response: PollResponse) => void,
    private readonly reject: (error: RealtimeError) => void,
    private readonly toLeader: ToLeader,
    private readonly forget: () => void,
  ) {
    if (req.signal.aborted) {
      this.done = true;
      reject(networkError('aborted'));
      return;
    }
    req.signal.addEventListener('abort', this.onAbort);
  }

  begin(): void {
    const { url, topic, cursor, timeoutMs, limit, headers } = this.req;
    this.toLeader({ t: 'p-poll', req: this.id, url, topic, cursor, timeoutMs, limit, headers });
  }

  receive(message: LeaderMessage): void {
    if (message.t === 'p-answer') this.settle(() => this.resolve(message.response));
    else if (message.t === 'p-error') this.settle(() => this.reject(message.error));
  }

  lost(): void {
    this.settle(() => this.reject(leaderGoneError()));
  }

  private settle(action: () => void): void {
    if (this.done) return;
    this.done = true;
    this.req.signal.removeEventListener('abort', this.onAbort);
    this.forget();
    action();
  }
}

class RelayedSocket implements Relayed {
  private uid: string | null = null;
  private opened = false;
  private done = false;
  /** Rooms this socket has joined, with the id of the last message it passed on. */
  private readonly rooms = new Map<string, string | null>();
  private readonly unacked = new Map<string, Frame>();

  readonly handle: SocketHandle = {
    send: (frame) => {
      if (this.done) return;
      if (frame.type === 'send' && typeof frame['clientId'] === 'string') this.unacked.set(frame['clientId'], frame);
      this.toLeader({ t: 'w-send', sub: this.id, frame });
    },
    close: () => {
      if (this.done) return;
      this.finish();
      this.toLeader({ t: 'w-detach', sub: this.id });
    },
  };

  constructor(
    private readonly id: string,
    private readonly req: SocketRequest,
    private readonly sink: SocketSink,
    private readonly toLeader: ToLeader,
    private readonly forget: () => void,
  ) {}

  begin(): void {
    this.toLeader({ t: 'w-attach', sub: this.id, url: this.req.url });
  }

  lost(): void {
    this.end(leaderGoneError());
  }

  unacknowledged(now: number): OrphanSend[] {
    const key = socketKey(this.req.url);
    return [...this.unacked.values()].map((frame) => ({ key, frame, at: now }));
  }

  receive(message: LeaderMessage): void {
    if (this.done) return;
    switch (message.t) {
      case 'w-attached':
        this.uid = message.uid;
        if (message.open) this.open(message.kind);
        return;
      case 'w-to':
        return this.addressed(message.frame);
      case 'w-open':
        if (message.uid === this.uid) this.open(message.kind);
        return;
      case 'w-closed':
        if (message.uid === this.uid) this.end(message.error);
        return;
      case 'w-frame':
        if (message.uid === this.uid) this.shared(message.frame, message.prev);
        return;
      default:
        return;
    }
  }

  private open(kind: RealtimeTransportKind | null | undefined): void {
    if (this.opened) return;
    this.opened = true;
    if (kind) this.sink.transport?.(kind);
    this.sink.opened();
  }

  private addressed(frame: Frame): void {
    const room = typeof frame['room'] === 'string' ? frame['room'] : null;
    if (frame.type === 'joined' && room !== null) {
      const history = Array.isArray(frame['history']) ? (frame['history'] as { id: string }[]) : [];
      const cursor = typeof frame['cursor'] === 'string' && frame['cursor'] ? frame['cursor'] : (history.at(-1)?.id ?? null);
      this.rooms.set(room, cursor);
    } else if (frame.type === 'left' && room !== null) {
      this.rooms.delete(room);
    } else if (frame.type === 'ack' && typeof frame['clientId'] === 'string') {
      this.unacked.delete(frame['clientId']);
    } else if (frame.type === 'error' && typeof frame['ref'] === 'string') {
      this.unacked.delete(frame['ref']);
    }
    this.sink.message(frame);
  }

  private shared(frame: Frame, prev: string | null | undefined): void {
    const room = typeof frame['room'] === 'string' ? frame['room'] : null;
    if (room === null) return this.sink.message(frame); // welcome, and errors for everyone
    if (!this.rooms.has(room)) return;
    if (frame.type === 'message') {
      const id = (frame['event'] as { id?: unknown } | undefined)?.id;
      const last = this.rooms.get(room) ?? null;
      if (typeof id !== 'string' || id === last) return;
      if (prev !== undefined && last !== null && prev !== last) {
        // a relayed message never reached this tab: rejoin by the room's cursor and get it from the server
        this.end(realtimeError('network', 'Missed a relayed chat message; rejoining from the last one seen.', true));
        return;
      }
      this.rooms.set(room, id);
    }
    this.sink.message(frame);
  }

  private end(error: RealtimeError): void {
    if (this.done) return;
    this.finish();
    this.sink.closed(error);
  }

  private finish(): void {
    this.done = true;
    this.forget();
  }
}
