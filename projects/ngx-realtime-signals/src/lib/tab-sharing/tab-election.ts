import type { TabEnvironment, TabChannel } from './tab-environment';
import type { TabMessage } from './tab-messages';

/** What {@link TabElection} reports. */
export interface ElectionListener {
  /** This tab became the leader (true) or stopped being it (false). */
  leading(leader: boolean, epoch: number): void;
  /** The leader this tab talks to changed: its tab id and epoch, or null while none is known. */
  leaderChanged(tab: string | null, epoch: number): void;
  /** Any other message on the channel (and this tab's own, delivered to itself). */
  message(message: TabMessage): void;
  /** A tab is closing; `orphans` are the chat sends it saw no ack for. */
  bye(message: Extract<TabMessage, { t: 'bye' }>): void;
}

/**
 * Leader election among the tabs of one origin. Every tab asks for the Web Lock
 * `<name>:leader` and holds it for its life, so exactly one tab leads, and a
 * closed or crashed leader frees it at once for the next tab in line. Each
 * leadership gets an epoch higher than any before it (the highest seen, a
 * counter in localStorage and the clock, whichever is highest); tabs drop
 * frames of any lower epoch, so a deposed leader cannot disturb its successor.
 * Each tab also holds `<name>:tab:<id>` for its life, so the leader can tell
 * which tabs are still alive.
 *
 * @example
 * ```ts
 * const election = new TabElection(browserTabEnvironment()!, 'ngx-rt', tabId, listener);
 * election.start();
 * election.post({ t: 'hello', tab: tabId });
 * ```
 */
export class TabElection {
  leader = false;
  epoch = 0;
  leaderTab: string | null = null;
  private highestEpoch = 0;
  private channel: TabChannel | null = null;
  private release: (() => void) | null = null;
  private abort: AbortController | null = null;
  private tabLock: (() => void) | null = null;
  private stopped = true;

  constructor(
    private readonly env: TabEnvironment,
    readonly name: string,
    readonly tabId: string,
    private readonly listener: ElectionListener,
  ) {}

  /** Joins the election: opens the channel, asks who leads, queues for the leader lock. */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.openChannel();
    this.holdTabLock();
    this.campaign();
    this.post({ t: 'hello', tab: this.tabId });
  }

  /** Leaves the election: gives up the lock (the next tab leads) and closes the channel. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.abort?.abort();
    this.abort = null;
    this.resign();
    this.tabLock?.();
    this.tabLock = null;
    this.channel?.close();
    this.channel = null;
    this.setLeader(null, this.epoch);
  }

  private openChannel(): void {
    const channel = this.env.channel(this.name);
    channel.onmessage = (event) => this.receive(event.data as TabMessage);
    this.channel = channel;
  }

  /** Sends to every other tab and, after the current task, to this one. */
  post(message: TabMessage): void {
    if (!this.channel) return;
    this.channel.postMessage(message);
    queueMicrotask(() => {
      if (!this.stopped) this.receive(message);
    });
  }

  /** The ids of tabs alive right now (each holds its tab lock), or null when the lock manager cannot say. */
  async liveTabs(): Promise<Set<string> | null> {
    try {
      const state = await this.env.locks.query();
      const prefix = `${this.name}:tab:`;
      return new Set((state.held ?? []).map((l) => l.name ?? '').filter((n) => n.startsWith(prefix)).map((n) => n.slice(prefix.length)));
    } catch {
      return null;
    }
  }

  private holdTabLock(): void {
    let free!: () => void;
    const held = new Promise<void>((resolve) => (free = resolve));
    this.tabLock = free;
    this.env.locks.request(`${this.name}:tab:${this.tabId}`, {}, () => held).catch(() => undefined);
  }

  private campaign(): void {
    const abort = new AbortController();
    this.abort = abort;
    this.env.locks
      .request(`${this.name}:leader`, { signal: abort.signal }, () => {
        if (this.stopped || abort.signal.aborted) return undefined;
        return new Promise<void>((resolve) => {
          this.release = resolve;
          this.becomeLeader();
        });
      })
      .catch(() => undefined)
      .then(() => {
        // the lock was released: by resign(), or taken from us (`steal`)
        if (this.leader && this.abort === abort) this.resign();
      });
  }

  private becomeLeader(): void {
    const stored = Number(this.readStored()) || 0;
    const epoch = Math.max(this.highestEpoch + 1, stored + 1, this.env.now());
    this.highestEpoch = epoch;
    this.writeStored(String(epoch));
    this.leader = true;
    this.listener.leading(true, epoch);
    this.setLeader(this.tabId, epoch);
    this.post({ t: 'leader', epoch, tab: this.tabId });
  }

  /** Gives up leadership (the lock goes to the next tab in line); campaigns again unless stopped. */
  resign(): void {
    const release = this.release;
    this.release = null;
    if (this.leader) {
      this.leader = false;
      this.listener.leading(false, this.epoch);
      this.setLeader(null, this.epoch);
    }
    release?.();
  }

  /**
   * Steps down for a while (page frozen or put in the back/forward cache) and
   * campaigns again on {@link rejoin}. The channel closes meanwhile: a message
   * arriving for a cached page would make the browser evict it.
   */
  pause(): void {
    this.abort?.abort();
    this.abort = null;
    this.resign();
    this.setLeader(null, this.epoch);
    this.channel?.close();
    this.channel = null;
    // a cached page holding a lock another page asks for gets evicted; nobody needs to know about us meanwhile
    this.tabLock?.();
    this.tabLock = null;
  }

  rejoin(): void {
    if (this.stopped || this.abort) return;
    if (!this.channel) this.openChannel();
    if (!this.tabLock) this.holdTabLock();
    this.campaign();
    this.post({ t: 'hello', tab: this.tabId });
  }

  private receive(message: TabMessage): void {
    switch (message.t) {
      case 'leader':
        return this.announced(message.epoch, message.tab);
      case 'hello':
        if (this.leader && message.tab !== this.tabId) this.post({ t: 'leader', epoch: this.epoch, tab: this.tabId });
        return;
      case 'bye':
        if (message.tab !== this.tabId) this.listener.bye(message);
        return;
      default:
        this.listener.message(message);
    }
  }

  private announced(epoch: number, tab: string): void {
    if (epoch < this.highestEpoch || (epoch === this.epoch && tab === this.leaderTab)) return;
    this.highestEpoch = epoch;
    if (tab === this.tabId) return;
    if (this.leader) {
      // another tab leads under a newer epoch (it took the lock): step down and queue again
      this.abort?.abort();
      this.abort = null;
      this.resign();
      if (!this.stopped) this.campaign();
    }
    this.setLeader(tab, epoch);
  }

  private setLeader(tab: string | null, epoch: number): void {
    if (tab === this.leaderTab && epoch === this.epoch) return;
    this.leaderTab = tab;
    this.epoch = epoch;
    this.listener.leaderChanged(tab, epoch);
  }

  private readStored(): string | null {
    try {
      return this.env.storage?.getItem(`${this.name}:epoch`) ?? null;
    } catch {
      return null;
    }
  }

  private writeStored(value: string): void {
    try {
      this.env.storage?.setItem(`${this.name}:epoch`, value);
    } catch {
      // storage full or blocked: the clock and the epochs heard still order leaderships
    }
  }
}
