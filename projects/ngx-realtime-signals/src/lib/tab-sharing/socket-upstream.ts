import { isRealtimeError, networkError } from '../core/errors';
import type { RealtimeEvent } from '../core/types';
import type { PollResponse, RealtimeTransports, SocketHandle } from '../core/transports/realtime-transports';
import type { RealtimeTransportKind } from '../core/transports/transport-kind';
import type { Frame, OrphanSend, TabMessage } from './tab-messages';

/** Messages the leader keeps per room to answer a late joiner without asking the server. */
const ROOM_RING_SIZE = 500;
/** A joiner without `since` gets the last this many, as from the server. */
const JOIN_HISTORY = 50;
const CATCH_UP_LIMIT = 1000;

interface Sub {
  tab: string;
  sub: string;
  rooms: Set<string>;
}

interface Room {
  name: string;
  joined: boolean;
  /** Virtual sockets waiting for the upstream's `joined`, with their `since`. */
  waiters: { key: string; since: string | null }[];
  members: string[];
  count: number;
  ring: RealtimeEvent[];
  /** The position before ring[0], null when unknown. */
  anchor: string | null;
  head: string | null;
}

/**
 * The leader's one real chat socket for one socket URL (one user), shared by
 * every tab's chat of that URL. Rooms are joined on it once; each tab's join
 * is answered with a `joined` made from the messages the leader kept (the
 * server's last ones and every one since), or, when the tab's `since` is older
 * than those, from a one-off poll of the room's topic. Messages carry
 * the id before them (`prev`) so each tab checks it missed none. Sends,
 * pings and typing go out on the shared socket; acks, errors and pongs go back
 * to the tab that sent them.
 */
export class SocketUpstream {
  readonly subs = new Map<string, Sub>();
  open = false;
  /** The transport the network chose for this chat connection (null: not told, as with a plain seam). */
  kind: RealtimeTransportKind | null = null;
  private welcome: Frame | null = null;
  private handle: SocketHandle | null = null;
  private readonly rooms = new Map<string, Room>();
  private readonly sends = new Map<string, string>();
  private readonly pings = new Map<number, { key: string; t: unknown }>();
  private nextPing = 1;
  private ended = false;
  private adopted: OrphanSend[] = [];

  constructor(
    readonly uid: string,
    readonly url: string,
    private readonly epoch: number,
    private readonly post: (message: TabMessage) => void,
    private readonly transports: RealtimeTransports,
    private readonly catchUpUrl: (topic: string) => string,
    private readonly onEnd: () => void,
  ) {}

  start(): void {
    const { uid, epoch } = this;
    this.handle = this.transports.openSocket(
      { url: this.url },
      {
        opened: () => {
          if (this.ended) return;
          this.open = true;
          this.post({ t: 'w-open', epoch, uid, kind: this.kind });
        },
        transport: (kind) => {
          if (!this.ended) this.kind = kind;
        },
        message: (frame) => {
          if (!this.ended) this.fromServer(frame);
        },
        closed: (error) => {
          if (this.ended) return;
          this.ended = true;
          this.handle = null;
          this.post({ t: 'w-closed', epoch, uid, error });
          this.onEnd();
        },
      },
    );
  }

  attach(tab: string, sub: string): void {
    this.subs.set(`${tab}/${sub}`, { tab, sub, rooms: new Set() });
    this.post({ t: 'w-attached', epoch: this.epoch, to: tab, sub, uid: this.uid, open: this.open, kind: this.kind });
    if (this.welcome) this.to(`${tab}/${sub}`, this.welcome);
  }

  /** Forgets a virtual socket (closed, or its tab is gone); true when none is left. */
  detach(key: string): boolean {
    const sub = this.subs.get(key);
    if (!sub) return this.subs.size === 0;
    this.subs.delete(key);
    for (const room of sub.rooms) this.leaveIfUnused(room);
    for (const [clientId, owner] of this.sends) if (owner === key) this.sends.delete(clientId);
    return this.subs.size === 0;
  }

  /** Sends a closing tab handed over: sent once the room is joined here (the server drops a repeat by clientId). */
  adopt(orphans: OrphanSend[]): void {
    const known = new Set(this.adopted.map((o) => o.frame['clientId']));
    this.adopted.push(...orphans.filter((o) => !known.has(o.frame['clientId'])));
    this.flushAdopted();
  }

  fromTab(key: string, frame: Frame): void {
    const sub = this.subs.get(key);
    if (!sub || !this.handle) return;
    const room = typeof frame['room'] === 'string' ? frame['room'] : '';
    switch (frame.type) {
      case 'join':
        return this.join(key, sub, room, typeof frame['since'] === 'string' ? frame['since'] : null);
      case 'leave':
        sub.rooms.delete(room);
        this.to(key, { type: 'left', room });
        return this.leaveIfUnused(room);
      case 'send':
        if (typeof frame['clientId'] === 'string') this.sends.set(frame['clientId'], key);
        return this.handle.send(frame);
      case 'ping': {
        const t = this.nextPing++;
        this.pings.set(t, { key, t: frame['t'] });
        if (this.pings.size > 100) this.pings.delete(this.pings.keys().next().value as number);
        return this.handle.send({ type: 'ping', t });
      }
      default:
        return this.handle.send(frame);
    }
  }

  close(): void {
    if (this.ended) return;
    this.ended = true;
    const handle = this.handle;
    this.handle = null;
    handle?.close();
  }

  private join(key: string, sub: Sub, name: string, since: string | null): void {
    sub.rooms.add(name);
    let room = this.rooms.get(name);
    if (!room) {
      // joined without `since`: the server's last messages serve a tab that joins fresh, and any
      // tab's `since` among them or older (answered by a catch-up poll) serves one that resumes
      room = { name, joined: false, waiters: [], members: [], count: 0, ring: [], anchor: null, head: null };
      this.rooms.set(name, room);
      room.waiters.push({ key, since });
      this.handle?.send({ type: 'join', room: name });
      return;
    }
    if (!room.joined) {
      room.waiters.push({ key, since });
      return;
    }
    this.answerJoin(room, key, since);
  }

  private leaveIfUnused(name: string): void {
    const room = this.rooms.get(name);
    if (!room) return;
    for (const sub of this.subs.values()) if (sub.rooms.has(name)) return;
    this.rooms.delete(name);
    if (room.joined || room.waiters.length > 0) this.handle?.send({ type: 'leave', room: name });
  }

  private fromServer(frame: Frame): void {
    const room = typeof frame['room'] === 'string' ? this.rooms.get(frame['room']) : undefined;
    switch (frame.type) {
      case 'welcome':
        this.welcome = frame;
        return this.broadcast(frame);
      case 'joined':
        return room ? this.joined(room, frame) : undefined;
      case 'message': {
        if (!room) return;
        const event = frame['event'] as RealtimeEvent | undefined;
        if (!event || typeof event.id !== 'string') return;
        const prev = room.head;
        room.head = event.id;
        this.remember(room, event);
        return this.broadcast(frame, prev);
      }
      case 'presence':
        if (room) this.presence(room, frame);
        return this.broadcast(frame);
      case 'typing':
        return this.broadcast(frame);
      case 'ack':
      case 'error': {
        const ref = (frame.type === 'ack' ? frame['clientId'] : frame['ref']) as unknown;
        if (typeof ref !== 'string') return frame.type === 'error' ? this.broadcast(frame) : undefined;
        this.adopted = this.adopted.filter((o) => o.frame['clientId'] !== ref);
        const owner = this.sends.get(ref);
        if (owner) {
          this.sends.delete(ref);
          return this.to(owner, frame);
        }
        const failed = this.rooms.get(ref);
        if (frame.type === 'error' && failed && !failed.joined) {
          // the join failed: every tab waiting for it hears why and decides itself
          this.rooms.delete(ref);
          for (const waiter of failed.waiters) this.to(waiter.key, frame);
        }
        return;
      }
      case 'pong': {
        const ping = this.pings.get(frame['t'] as number);
        if (!ping) return;
        this.pings.delete(frame['t'] as number);
        return this.to(ping.key, { type: 'pong', t: ping.t });
      }
      default:
        return;
    }
  }

  private joined(room: Room, frame: Frame): void {
    const history = Array.isArray(frame['history']) ? (frame['history'] as RealtimeEvent[]) : [];
    room.joined = true;
    room.members = Array.isArray(frame['members']) ? [...(frame['members'] as string[])] : [];
    room.count = typeof frame['count'] === 'number' ? frame['count'] : room.members.length;
    if (frame['reset'] === true) room.anchor = null;
    room.ring = [];
    for (const event of history) this.remember(room, event);
    const cursor = typeof frame['cursor'] === 'string' && frame['cursor'] ? frame['cursor'] : (history.at(-1)?.id ?? room.head);
    room.head = cursor;
    const waiters = room.waiters;
    room.waiters = [];
    for (const waiter of waiters) this.answerJoin(room, waiter.key, waiter.since);
    this.flushAdopted();
  }

  private presence(room: Room, frame: Frame): void {
    const left = new Set(Array.isArray(frame['left']) ? (frame['left'] as string[]) : []);
    const members = room.members.filter((m) => !left.has(m));
    for (const user of Array.isArray(frame['joined']) ? (frame['joined'] as string[]) : []) if (!members.includes(user)) members.push(user);
    room.members = members;
    room.count = typeof frame['count'] === 'number' ? frame['count'] : members.length;
  }

  private remember(room: Room, event: RealtimeEvent): void {
    room.ring.push(event);
    if (room.ring.length > ROOM_RING_SIZE) room.anchor = room.ring.shift()?.id ?? room.anchor;
  }

  /** A `joined` for a tab joining a room this socket is already in. */
  private answerJoin(room: Room, key: string, since: string | null): void {
    const sub = this.subs.get(key);
    if (!sub) return;
    const send = (history: RealtimeEvent[], reset: boolean) => {
      if (!this.subs.has(key) || !this.rooms.has(room.name)) return;
      this.to(key, { type: 'joined', room: room.name, members: [...room.members], count: room.count, history, cursor: room.head, ...(reset ? { reset } : {}) });
    };
    if (since === null) return send(room.ring.slice(-JOIN_HISTORY), false);
    if (since === room.head) return send([], false);
    const index = room.ring.findIndex((e) => e.id === since);
    if (index >= 0) return send(room.ring.slice(index + 1), false);
    if (since === room.anchor) return send([...room.ring], false);
    // older than what is kept here: ask the room's log from `since`, then add what arrived meanwhile
    this.catchUp(room.name, since).then(
      ({ events, reset }) => {
        const seen = new Set(events.map((e) => e.id));
        send([...events, ...room.ring.filter((e) => !seen.has(e.id))], reset);
      },
      (err: unknown) => {
        const error = isRealtimeError(err) ? err : networkError(err);
        this.to(key, { type: 'error', code: 'internal_error', message: `Could not catch up: ${error.message}`, ref: room.name });
      },
    );
  }

  private async catchUp(room: string, since: string): Promise<{ events: RealtimeEvent[]; reset: boolean }> {
    const url = this.catchUpUrl(`chat:${room}`);
    const headers = socketAuthHeaders(this.url);
    const events: RealtimeEvent[] = [];
    let cursor = since;
    let reset = false;
    for (;;) {
      const response: PollResponse = await this.transports.poll({
        url,
        topic: `chat:${room}`,
        cursor,
        timeoutMs: 0,
        limit: CATCH_UP_LIMIT,
        headers,
        signal: new AbortController().signal,
      });
      reset ||= response.reset === true;
      events.push(...response.events);
      cursor = response.cursor;
      if (response.events.length < CATCH_UP_LIMIT) return { events, reset };
    }
  }

  private flushAdopted(): void {
    if (!this.handle || !this.open) return;
    for (const orphan of this.adopted) {
      const room = this.rooms.get(String(orphan.frame['room']));
      if (room?.joined) this.handle.send(orphan.frame);
    }
  }

  private broadcast(frame: Frame, prev?: string | null): void {
    this.post({ t: 'w-frame', epoch: this.epoch, uid: this.uid, frame, ...(prev !== undefined ? { prev } : {}) });
  }

  private to(key: string, frame: Frame): void {
    const sub = this.subs.get(key);
    if (sub) this.post({ t: 'w-to', epoch: this.epoch, to: sub.tab, sub: sub.sub, frame });
  }
}

/** The socket's `access_token`, as the `Authorization` header a catch-up poll needs. */
export function socketAuthHeaders(socketUrl: string): Record<string, string> {
  let token: string | null = null;
  try {
    token = new URL(socketUrl).searchParams.get('access_token');
  } catch {
    token = null;
  }
  return token ? { Authorization: `Bearer ${token}` } : {};
}
