import type { RealtimeTransports } from '../core/transports/realtime-transports';
import { PollUpstream, type PollUpstreamClock } from './poll-upstream';
import { SocketUpstream } from './socket-upstream';
import { StreamUpstream } from './stream-upstream';
import { requestKey, socketKey, type HubMessage, type OrphanSend, type TabMessage } from './tab-messages';

/**
 * The leader's side of the relay: one real connection per stream URL, poll URL
 * and chat socket URL, whatever the number of tabs (this one included) that
 * use it. Handles the requests addressed to this tab while it leads; ends every
 * real connection when it stops leading.
 */
export class TabHub {
  private readonly streams = new Map<string, StreamUpstream>();
  private readonly polls = new Map<string, PollUpstream>();
  private readonly sockets = new Map<string, SocketUpstream>();
  private readonly streamOf = new Map<string, StreamUpstream>();
  private readonly socketOf = new Map<string, SocketUpstream>();
  private readonly pollAsks = new Map<string, () => void>();
  private orphans: OrphanSend[] = [];
  private serial = 0;

  constructor(
    private readonly tabId: string,
    private readonly epoch: number,
    private readonly post: (message: TabMessage) => void,
    private readonly transports: RealtimeTransports,
    private readonly clock: PollUpstreamClock,
    private readonly catchUpUrl: (topic: string) => string,
  ) {}

  handle(message: HubMessage): void {
    if (message.to !== this.tabId) return;
    const key = `${message.from}/${'sub' in message ? message.sub : message.req}`;
    switch (message.t) {
      case 's-attach':
        return this.attachStream(key, message);
      case 's-detach': {
        const upstream = this.streamOf.get(key);
        this.streamOf.delete(key);
        if (upstream?.detach(message.from, message.sub)) this.endStream(upstream);
        return;
      }
      case 'p-poll':
        return this.poll(key, message);
      case 'p-cancel':
        this.pollAsks.get(key)?.();
        this.pollAsks.delete(key);
        return;
      case 'w-attach':
        return this.attachSocket(key, message);
      case 'w-send':
        return this.socketOf.get(key)?.fromTab(key, message.frame);
      case 'w-detach': {
        const upstream = this.socketOf.get(key);
        this.socketOf.delete(key);
        if (upstream?.detach(key)) this.endSocket(upstream);
        return;
      }
    }
  }

  /** Chat sends of a closed tab: sent on the socket of the same user once it has the room. */
  adopt(orphans: OrphanSend[]): void {
    const now = this.clock.now();
    this.orphans = [...this.orphans, ...orphans].filter((o) => now - o.at < 60_000);
    for (const upstream of this.sockets.values()) this.adoptInto(upstream);
  }

  /** Drops the subscriptions of tabs that are gone (closed, or crashed without a word). */
  dropTabs(gone: (tab: string) => boolean): void {
    const tabOf = (key: string) => key.slice(0, key.indexOf('/'));
    for (const [key, upstream] of [...this.streamOf]) {
      if (!gone(tabOf(key))) continue;
      this.streamOf.delete(key);
      if (upstream.detach(tabOf(key), key.slice(key.indexOf('/') + 1))) this.endStream(upstream);
    }
    for (const [key, upstream] of [...this.socketOf]) {
      if (!gone(tabOf(key))) continue;
      this.socketOf.delete(key);
      if (upstream.detach(key)) this.endSocket(upstream);
    }
    for (const [key, cancel] of [...this.pollAsks]) {
      if (!gone(tabOf(key))) continue;
      cancel();
      this.pollAsks.delete(key);
    }
  }

  /** Ends every real connection (this tab no longer leads). */
  dispose(): void {
    for (const upstream of this.streams.values()) upstream.close();
    for (const upstream of this.polls.values()) upstream.dispose();
    for (const upstream of this.sockets.values()) upstream.close();
    this.streams.clear();
    this.polls.clear();
    this.sockets.clear();
    this.streamOf.clear();
    this.socketOf.clear();
    this.pollAsks.clear();
  }

  /** Real connections open right now, by kind (for diagnostics and tests). */
  get counts(): { streams: number; polls: number; sockets: number } {
    return { streams: this.streams.size, polls: this.polls.size, sockets: this.sockets.size };
  }

  private uid(): string {
    return `${this.tabId}:${this.epoch}:${++this.serial}`;
  }

  private attachStream(key: string, message: Extract<HubMessage, { t: 's-attach' }>): void {
    const shared = requestKey(message.url, message.headers);
    let upstream = this.streams.get(shared);
    if (!upstream) {
      const created: StreamUpstream = new StreamUpstream(this.uid(), this.epoch, this.post, () => this.clock.now(), () => this.forgetStream(created));
      upstream = created;
      this.streams.set(shared, created);
      created.start(this.transports, { url: message.url, topic: message.topic, cursor: message.cursor, headers: message.headers });
    }
    this.streamOf.set(key, upstream);
    upstream.attach(message.from, message.sub);
  }

  private endStream(upstream: StreamUpstream): void {
    upstream.close();
    this.forgetStream(upstream);
  }

  private forgetStream(upstream: StreamUpstream): void {
    for (const [url, u] of [...this.streams]) if (u === upstream) this.streams.delete(url);
    for (const [key, u] of [...this.streamOf]) if (u === upstream) this.streamOf.delete(key);
  }

  private poll(key: string, message: Extract<HubMessage, { t: 'p-poll' }>): void {
    const shared = requestKey(message.url, message.headers);
    let upstream = this.polls.get(shared);
    if (!upstream) {
      const created: PollUpstream = new PollUpstream(this.transports, message.url, message.topic, this.clock, () => {
        if (this.polls.get(shared) === created) this.polls.delete(shared);
      });
      upstream = created;
      this.polls.set(shared, created);
    }
    const { epoch } = this;
    let done = false;
    const cancel = upstream.ask({
      cursor: message.cursor,
      timeoutMs: message.timeoutMs,
      limit: message.limit,
      headers: message.headers,
      answer: (response) => {
        if (done) return;
        done = true;
        this.pollAsks.delete(key);
        this.post({ t: 'p-answer', epoch, to: message.from, req: message.req, response });
      },
      fail: (error) => {
        if (done) return;
        done = true;
        this.pollAsks.delete(key);
        this.post({ t: 'p-error', epoch, to: message.from, req: message.req, error });
      },
    });
    if (!done) {
      this.pollAsks.set(key, () => {
        done = true;
        cancel();
      });
    }
  }

  private attachSocket(key: string, message: Extract<HubMessage, { t: 'w-attach' }>): void {
    const socket = socketKey(message.url);
    let upstream = this.sockets.get(socket);
    if (!upstream) {
      const created: SocketUpstream = new SocketUpstream(this.uid(), message.url, this.epoch, this.post, this.transports, this.catchUpUrl, () => {
        if (this.sockets.get(socket) === created) this.sockets.delete(socket);
        for (const [k, u] of [...this.socketOf]) if (u === created) this.socketOf.delete(k);
      });
      upstream = created;
      this.sockets.set(socket, created);
      created.start();
    }
    this.socketOf.set(key, upstream);
    upstream.attach(message.from, message.sub);
    this.adoptInto(upstream);
  }

  private endSocket(upstream: SocketUpstream): void {
    upstream.close();
    for (const [k, u] of this.sockets) if (u === upstream) this.sockets.delete(k);
  }

  private adoptInto(upstream: SocketUpstream): void {
    const mine = this.orphans.filter((o) => o.key === socketKey(upstream.url));
    if (mine.length > 0) upstream.adopt(mine);
  }
}
