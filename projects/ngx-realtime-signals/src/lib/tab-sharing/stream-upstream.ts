import type { RealtimeTransports } from '../core/transports/realtime-transports';
import type { RealtimeTransportKind } from '../core/transports/transport-kind';
import type { TabMessage } from './tab-messages';

type Send = (message: TabMessage) => void;

/** How often the leader passes on a stream's signs of life (pings) to the other tabs, at most. */
const ACTIVITY_RELAY_MS = 1000;

/**
 * The leader's one real SSE connection for one stream URL, shared by every
 * tab's stream of that URL. It is one attempt, not a reconnect loop: when it
 * ends, every tab's stream ends with it and each tab's own reconnect policy
 * opens the next one (the first tab to come back opens it from its cursor).
 * Every relayed event carries the position before it (`prev`), so each tab can
 * check that it missed nothing.
 */
export class StreamUpstream {
  readonly subs = new Map<string, { tab: string; sub: string }>();
  position: string | null;
  open = false;
  /** The transport the network chose for this stream (null: not told, as with a plain seam). */
  kind: RealtimeTransportKind | null = null;
  private teardown: (() => void) | null = null;
  private lastActivity = 0;
  private ended = false;

  constructor(
    readonly uid: string,
    private readonly epoch: number,
    private readonly send: Send,
    private readonly now: () => number,
    private readonly onEnd: () => void,
  ) {
    this.position = null;
  }

  start(transports: RealtimeTransports, req: { url: string; topic: string; cursor: string | null; headers: Record<string, string> }): void {
    this.position = req.cursor;
    const { uid, epoch } = this;
    const live = () => !this.ended;
    this.teardown = transports.openStream(req, {
      opened: () => {
        if (!live()) return;
        this.open = true;
        this.send({ t: 's-open', epoch, uid, kind: this.kind });
      },
      transport: (kind) => {
        if (live()) this.kind = kind;
      },
      event: (event) => {
        if (!live()) return;
        const prev = this.position;
        if (event.id !== '') this.position = event.id;
        // an event without an id leaves the position where it was
        this.send({ t: 's-event', epoch, uid, prev, event });
      },
      position: (cursor) => {
        if (!live()) return;
        const prev = this.position;
        this.position = cursor;
        this.send({ t: 's-position', epoch, uid, prev, cursor });
      },
      reset: (cursor) => {
        if (!live()) return;
        const prev = this.position;
        this.position = cursor;
        this.send({ t: 's-reset', epoch, uid, prev, cursor });
      },
      retryHint: (ms) => {
        if (live()) this.send({ t: 's-hint', epoch, uid, ms });
      },
      activity: () => {
        if (!live() || this.now() - this.lastActivity < ACTIVITY_RELAY_MS) return;
        this.lastActivity = this.now();
        this.send({ t: 's-activity', epoch, uid });
      },
      closed: (error) => {
        if (!live()) return;
        this.ended = true;
        this.teardown = null;
        this.send({ t: 's-closed', epoch, uid, error });
        this.onEnd();
      },
    });
  }

  attach(tab: string, sub: string): void {
    this.subs.set(`${tab}/${sub}`, { tab, sub });
    this.send({ t: 's-attached', epoch: this.epoch, to: tab, sub, uid: this.uid, open: this.open, kind: this.kind, position: this.position });
  }

  detach(tab: string, sub: string): boolean {
    this.subs.delete(`${tab}/${sub}`);
    return this.subs.size === 0;
  }

  /** Closes the real connection without telling the tabs (they learn of the new leader instead). */
  close(): void {
    if (this.ended) return;
    this.ended = true;
    const teardown = this.teardown;
    this.teardown = null;
    teardown?.();
  }
}
