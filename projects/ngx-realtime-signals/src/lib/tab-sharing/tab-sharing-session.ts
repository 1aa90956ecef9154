import type { PollRequest, PollResponse, RealtimeTransports, SocketHandle, SocketRequest, SocketSink, StreamRequest, StreamSink } from '../core/transports/realtime-transports';
import { TabElection } from './tab-election';
import type { TabEnvironment } from './tab-environment';
import { TabHub } from './tab-hub';
import { isHubMessage, isLeaderMessage, type OrphanSend, type TabMessage } from './tab-messages';
import { TabRelay, type CatchUpUrl } from './tab-relay';

/**
 * Whether this tab holds the shared connections (`leader`), uses them through
 * the leader (`follower`), or has its own as without sharing (`off`).
 */
export type TabSharingRole = 'leader' | 'follower' | 'off';

/** How often the leader checks which tabs are still alive, to drop what crashed tabs had open. */
const LIVENESS_CHECK_MS = 5000;
/** How long the chat sends of a closed tab are kept for a leader to send. */
const ORPHAN_TTL_MS = 60_000;

/**
 * One tab's part in sharing connections: the election, the relay this tab's
 * services use, and (while it leads) the hub holding the real connections.
 * Plain TypeScript over {@link TabEnvironment}; the Angular layer is
 * `withTabSharing()`.
 *
 * @example
 * ```ts
 * const session = new TabSharingSession(browserTabEnvironment()!, 'ngx-rt', realTransports, (role) => console.log(role));
 * session.start();
 * session.openStream(req, sink); // through the leader, whichever tab it is
 * ```
 */
export class TabSharingSession implements RealtimeTransports {
  readonly tabId: string;
  private readonly election: TabElection;
  private readonly relay: TabRelay;
  private hub: TabHub | null = null;
  private orphans: OrphanSend[] = [];
  private livenessTimer: unknown = null;
  private readonly listeners: [string, (event: Event) => void][] = [];
  private started = false;
  private paused = false;

  constructor(
    private readonly env: TabEnvironment,
    name: string,
    private readonly real: RealtimeTransports,
    private readonly onRole: (role: TabSharingRole) => void,
    private readonly catchUpUrl: CatchUpUrl = (topic) => `/api/poll/${encodeURIComponent(topic)}`,
    tabId = randomId(),
  ) {
    this.tabId = tabId;
    const post = (message: TabMessage) => this.election.post(message);
    this.relay = new TabRelay(tabId, post, real, catchUpUrl);
    this.election = new TabElection(env, name, tabId, {
      leading: (leader, epoch) => (leader ? this.lead(epoch) : this.follow()),
      leaderChanged: (tab, epoch) => this.relay.setLeader(tab, epoch),
      message: (message) => this.route(message),
      bye: (message) => this.bye(message.tab, message.orphans),
    });
  }

  get role(): TabSharingRole {
    return this.election.leader ? 'leader' : 'follower';
  }

  /** Real connections this tab holds for all tabs (zero unless it leads). */
  get upstreams(): { streams: number; polls: number; sockets: number } {
    return this.hub?.counts ?? { streams: 0, polls: 0, sockets: 0 };
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    this.onRole('follower');
    this.listen('pagehide', (event) => this.hidden((event as PageTransitionEvent).persisted === true));
    this.listen('pageshow', (event) => {
      if ((event as PageTransitionEvent).persisted) this.shown();
    });
    this.listen('freeze', () => this.hidden(true));
    this.listen('resume', () => this.shown());
    this.election.start();
  }

  stop(): void {
    if (!this.started) return;
    this.started = false;
    for (const [type, listener] of this.listeners) for (const target of this.env.pageEvents) target.removeEventListener(type, listener);
    this.listeners.length = 0;
    this.election.stop();
    this.relay.dispose();
    this.endHub();
  }

  openStream(req: StreamRequest, sink: StreamSink): () => void {
    return this.relay.openStream(req, sink);
  }

  poll(req: PollRequest): Promise<PollResponse> {
    return this.relay.poll(req);
  }

  openSocket(req: SocketRequest, sink: SocketSink): SocketHandle {
    return this.relay.openSocket(req, sink);
  }

  private lead(epoch: number): void {
    this.endHub();
    this.hub = new TabHub(this.tabId, epoch, (m) => this.election.post(m), this.real, this.env, this.catchUpUrl);
    const now = this.env.now();
    this.orphans = this.orphans.filter((o) => now - o.at < ORPHAN_TTL_MS);
    if (this.orphans.length > 0) this.hub.adopt(this.orphans);
    this.scheduleLivenessCheck();
    this.onRole('leader');
  }

  private follow(): void {
    this.endHub();
    this.onRole('follower');
  }

  private endHub(): void {
    this.env.clearTimeout(this.livenessTimer);
    this.livenessTimer = null;
    this.hub?.dispose();
    this.hub = null;
  }

  private route(message: TabMessage): void {
    if (isHubMessage(message)) this.hub?.handle(message);
    else if (isLeaderMessage(message)) this.relay.receive(message);
  }

  private bye(tab: string, orphans: OrphanSend[]): void {
    this.hub?.dropTabs((t) => t === tab);
    if (orphans.length === 0) return;
    // every tab keeps them: whichever leads next sends them (the server drops a repeat by clientId)
    this.orphans = [...this.orphans, ...orphans];
    this.hub?.adopt(orphans);
  }

  /** The page is going away (or into the back/forward cache, or frozen): hand over what only this tab knows. */
  private hidden(comingBack: boolean): void {
    if (this.paused) return;
    this.election.post({ t: 'bye', tab: this.tabId, orphans: this.relay.orphans(this.env.now()) });
    if (comingBack) {
      this.paused = true;
      this.election.pause();
      this.endHub();
    }
  }

  private shown(): void {
    if (!this.paused) return;
    this.paused = false;
    this.election.rejoin();
  }

  private scheduleLivenessCheck(): void {
    this.livenessTimer = this.env.setTimeout(() => {
      const hub = this.hub;
      void this.election.liveTabs().then((live) => {
        if (live && hub && hub === this.hub) hub.dropTabs((tab) => !live.has(tab));
        if (hub === this.hub) this.scheduleLivenessCheck();
      });
    }, LIVENESS_CHECK_MS);
  }

  private listen(type: string, listener: (event: Event) => void): void {
    for (const target of this.env.pageEvents) {
      // pagehide/pageshow fire on window, freeze/resume on document; listening on both is harmless
      target.addEventListener(type, listener);
    }
    this.listeners.push([type, listener]);
  }
}

function randomId(): string {
  const c = globalThis.crypto as Crypto | undefined;
  return c?.randomUUID ? c.randomUUID() : `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
}
